/** Bytes, total, speed and time left of a Hub download. */
import { LinearProgress, Stack, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { DownloadProgress } from '../../../../src-shared/hub'
import { useFormat } from '../../format'

export function DownloadProgressBar({ progress }: { progress: DownloadProgress }) {
  const { t } = useTranslation()
  const format = useFormat()
  const mb = (bytes: number) => format.number(bytes / 1024 / 1024, 3)
  const share = progress.total > 0 ? (100 * progress.bytes) / progress.total : 0
  return (
    <Stack spacing={0.5} data-testid="download-progress">
      <LinearProgress variant={progress.total > 0 ? 'determinate' : 'indeterminate'} value={share} />
      <Typography variant="caption" color="text.secondary">
        {t('hub.progress', { file: progress.file, done: mb(progress.bytes), total: mb(progress.total), speed: mb(progress.bytesPerSecond) })}
        {progress.etaSeconds !== null && ` · ${t('hub.eta', { eta: format.duration(progress.etaSeconds) })}`}
      </Typography>
    </Stack>
  )
}
