/**
 * Take an exported folder away: download it as a ZIP (the browser fetches it from the web host; the desktop
 * app saves it through the native save dialog, with progress).
 */
import DownloadIcon from '@mui/icons-material/Download'
import { Button, LinearProgress, Stack, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { exportDownloadPath, exportZipName, type ExportKind } from '../../../../src-shared/exports'
import { formatBytes } from '../../../../src-shared/format'
import { useApi, useQuery } from '../../api/context'
import { errorMessage } from '../../api/errors'
import { useFormat } from '../../format'

export function ExportDownload({ id, name, kind, onError }: { id: string; name: string; kind: ExportKind; onError: (message: string) => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const [info] = useQuery((client) => client.system.info(), [])
  const format = useFormat()
  const [saving, setSaving] = useState<{ bytes: number; total: number; etaSeconds: number | null } | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const desktop = info.state === 'ready' && info.value.host === 'electron'

  const save = async () => {
    setSaved(null)
    const started = Date.now()
    try {
      for await (const event of await api.experiments.saveExport({ id, kind })) {
        const seconds = (Date.now() - started) / 1000
        setSaving({ ...event, etaSeconds: event.bytes > 0 && seconds > 1 ? ((event.total - event.bytes) * seconds) / event.bytes : null })
        if (event.saved) setSaved(event.saved)
      }
    } catch (error) {
      onError(errorMessage(t, error))
    } finally {
      setSaving(null)
    }
  }

  if (!desktop) {
    return (
      <Button size="small" startIcon={<DownloadIcon />} href={exportDownloadPath(id, kind)} download={exportZipName(name, kind)} data-testid={`download-${kind}`}>
        {t('experiment.downloadZip')}
      </Button>
    )
  }
  return (
    <Stack spacing={0.5}>
      <Button size="small" startIcon={<DownloadIcon />} disabled={saving !== null} onClick={() => void save()} data-testid={`download-${kind}`}>
        {t('experiment.saveZip')}
      </Button>
      {saving && (
        <>
          <LinearProgress variant="determinate" value={saving.total > 0 ? (100 * saving.bytes) / saving.total : 0} />
          <Typography variant="caption">{t('experiment.savingZip', { bytes: formatBytes(saving.bytes), total: formatBytes(saving.total) })}
            {saving.etaSeconds !== null && ` · ${t('experiments.eta', { eta: format.duration(saving.etaSeconds) })}`}</Typography>
        </>
      )}
      {saved && <Typography variant="caption">{t('experiment.savedZip', { file: saved })}</Typography>}
    </Stack>
  )
}
