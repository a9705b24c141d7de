/** A Hugging Face dataset: its configs, splits and data files; download one and import it. */
import { Alert, Button, Chip, List, ListItem, ListItemText, Stack, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { DatasetDetail } from '../../../../src-shared/datasets'
import type { DownloadProgress, HubDatasetInfo } from '../../../../src-shared/hub'
import { useApi } from '../../api/context'
import { errorText, type ErrorText } from '../../api/errors'
import { useFormat } from '../../format'
import { DownloadProgressBar } from './DownloadProgressBar'

export function HubDatasetPanel({ onImported }: { onImported: (detail: DatasetDetail) => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [id, setId] = useState('')
  const [info, setInfo] = useState<HubDatasetInfo | null>(null)
  const [busy, setBusy] = useState(false)
  const [progress, setProgress] = useState<DownloadProgress | null>(null)
  const [error, setError] = useState<ErrorText | null>(null)

  const show = async () => {
    setBusy(true)
    setError(null)
    setInfo(null)
    try {
      setInfo(await api.hub.datasetInfo({ id: id.trim() }))
    } catch (e) {
      setError(errorText(t, e))
    } finally {
      setBusy(false)
    }
  }
  const importFiles = async (paths: string[], name?: string) => {
    if (!info) return
    setBusy(true)
    setError(null)
    try {
      for await (const event of await api.hub.importDatasetFiles({ id: info.id, paths, name })) {
        setProgress(event.progress)
        if (event.dataset) onImported(event.dataset)
      }
    } catch (e) {
      setError(errorText(t, e))
    } finally {
      setBusy(false)
      setProgress(null)
    }
  }

  return (
    <Stack spacing={1.5} data-testid="hub-dataset-panel">
      <Typography variant="body2" color="text.secondary">
        {t('hub.datasetHelp')}
      </Typography>
      <Stack direction="row" spacing={1}>
        <TextField size="small" label={t('hub.datasetId')} value={id} onChange={(e) => setId(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'hub-dataset-id' } }} sx={{ minWidth: 360 }} />
        <Button variant="outlined" disabled={busy || !id.includes('/')} onClick={() => void show()} data-testid="hub-dataset-show">
          {t('hub.showFiles')}
        </Button>
      </Stack>
      {progress && <DownloadProgressBar progress={progress} />}
      {error && (
        <Alert severity="error" data-testid="hub-dataset-error">
          {error.text}
        </Alert>
      )}
      {info && info.gated !== false && <Alert severity="warning">{t('hub.gated')}</Alert>}
      {info && info.files.length === 0 && <Alert severity="info">{t('hub.noFiles')}</Alert>}
      {info?.configs.map((config) => (
        <Stack key={config.name} spacing={0.5}>
          <Typography variant="subtitle2">{t('hub.config', { name: config.name })}</Typography>
          {config.splits.map((split) => (
            <List key={split.name} dense disablePadding>
              {split.files.length > 1 && (
                <ListItem>
                  <Button size="small" variant="outlined" disabled={busy} onClick={() => void importFiles(split.files.map((f) => f.path), `${config.name}-${split.name}`)} data-testid="hub-dataset-import-split">
                    {t('hub.importSplit', { split: split.name, count: split.files.length })}
                  </Button>
                </ListItem>
              )}
              {split.files.map((file) => (
                <ListItem
                  key={file.path}
                  data-testid="hub-dataset-file"
                  secondaryAction={
                    <Button size="small" disabled={busy} onClick={() => void importFiles([file.path])} data-testid="hub-dataset-import">
                      {t('hub.importFile')}
                    </Button>
                  }
                >
                  <Chip size="small" label={t('hub.split', { name: split.name })} sx={{ mr: 1 }} />
                  <ListItemText primary={file.path} secondary={t('hub.fileSize', { size: format.number(file.size / 1024 / 1024, 3) })} />
                </ListItem>
              ))}
            </List>
          ))}
        </Stack>
      ))}
    </Stack>
  )
}
