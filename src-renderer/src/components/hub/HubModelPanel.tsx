/** A Hugging Face model: what it is (architecture, size, supported, licence, gated), and its download. */
import { Alert, Button, Chip, Stack, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { supportedModelTypes, type DownloadProgress, type HubModelSummary } from '../../../../src-shared/hub'
import { useApi } from '../../api/context'
import { errorText, type ErrorText } from '../../api/errors'
import { useFormat } from '../../format'
import { DownloadProgressBar } from './DownloadProgressBar'
import { HubTokenPanel } from './HubTokenPanel'
import { MemoryFitPanel } from './MemoryFitPanel'

export function HubModelPanel() {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [id, setId] = useState('')
  const [summary, setSummary] = useState<HubModelSummary | null>(null)
  const [busy, setBusy] = useState(false)
  const [progress, setProgress] = useState<DownloadProgress | null>(null)
  const [dir, setDir] = useState<string | null>(null)
  const [error, setError] = useState<ErrorText | null>(null)

  const run = async (task: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await task()
    } catch (e) {
      setError(errorText(t, e))
    } finally {
      setBusy(false)
      setProgress(null)
    }
  }
  const check = () =>
    run(async () => {
      setSummary(null)
      setDir(null)
      setSummary(await api.hub.modelSummary({ id: id.trim() }))
    })
  const download = () =>
    run(async () => {
      if (!summary) return
      for await (const event of await api.hub.downloadModel({ id: summary.id })) {
        setProgress(event.progress)
        if (event.dir) setDir(event.dir)
      }
    })
  const support = !summary
    ? ''
    : summary.supported
      ? t('hub.supported', { type: summary.modelType })
      : summary.modelType
        ? t('hub.unsupported', { type: summary.modelType, families: supportedModelTypes.join(', ') })
        : t('hub.notTransformers')

  return (
    <Stack spacing={1.5} data-testid="hub-model-panel">
      <Typography variant="body2" color="text.secondary">
        {t('hub.modelHelp')}
      </Typography>
      <Stack direction="row" spacing={1}>
        <TextField size="small" label={t('hub.modelId')} value={id} onChange={(e) => setId(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'hub-model-id' } }} sx={{ minWidth: 360 }} />
        <Button variant="outlined" disabled={busy || !id.includes('/')} onClick={() => void check()} data-testid="hub-model-check">
          {t('hub.check')}
        </Button>
        {summary && (
          <Button variant="contained" disabled={busy} onClick={() => void download()} data-testid="hub-model-download">
            {t('hub.download')}
          </Button>
        )}
      </Stack>
      {error && (
        <Alert severity="error" data-testid="hub-model-error">
          {error.text}
        </Alert>
      )}
      {summary && (
        <Stack spacing={0.5} data-testid="hub-model-summary">
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
            <Chip size="small" label={t('hub.architecture', { name: summary.architecture ?? t('hub.unknown') })} />
            <Chip size="small" label={t('hub.size', { size: format.number(summary.downloadBytes / 1024 / 1024, 3) })} />
            <Chip size="small" label={t('hub.parameters', { count: summary.parameters === null ? t('hub.unknown') : format.integer(summary.parameters) })} />
            <Chip size="small" label={t('hub.license', { license: summary.license ?? t('hub.unknown') })} />
          </Stack>
          <Alert severity={summary.supported ? 'success' : 'warning'} data-testid="hub-model-support">
            {support}
          </Alert>
          {summary.gated !== false && <Alert severity="warning">{t('hub.gated')}</Alert>}
          {summary.config && (
            <>
              <Typography variant="subtitle2" sx={{ pt: 1 }}>
                {t('memory.title')}
              </Typography>
              <MemoryFitPanel config={summary.config} />
            </>
          )}
        </Stack>
      )}
      {progress && <DownloadProgressBar progress={progress} />}
      {dir && (
        <Alert severity="success" data-testid="hub-model-downloaded">
          {t('hub.downloaded', { dir })}
        </Alert>
      )}
      <HubTokenPanel />
    </Stack>
  )
}
