/** What the run produced: validation predictions (best or worst first), downloads, exported folders. */
import CopyIcon from '@mui/icons-material/ContentCopy'
import DownloadIcon from '@mui/icons-material/Download'
import UploadIcon from '@mui/icons-material/CloudUploadOutlined'
import { Alert, Box, Button, IconButton, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { formatBytes } from '../../../../src-shared/format'
import type { PredictionRow } from '../../../../src-shared/entities'
import type { ExportKind } from '../../../../src-shared/exports'
import { useApi, useQuery } from '../../api/context'
import { errorMessage } from '../../api/errors'
import { downloadText } from '../../download'
import { useFormat } from '../../format'
import { ExportDownload } from './ExportActions'
import { PushDialog } from './PushDialog'

const SHOWN = 50
/** File names are the same in every language. */
const fileNames = { predictions: 'predictions.csv', logs: 'logs.txt', config: 'cfg.yaml' } as const

const isExport = (name: string): name is ExportKind => name === 'adapter' || name === 'merged'

function ordered(rows: PredictionRow[], order: 'best' | 'worst'): PredictionRow[] {
  const sign = order === 'best' ? -1 : 1
  // Rows without a score (a judge that failed on them) go last either way.
  return [...rows].sort((a, b) => (a.score === null ? 1 : b.score === null ? -1 : sign * (a.score - b.score)))
}

export function ArtifactsPanel({ id, name, refreshKey }: { id: string; name: string; refreshKey: string }) {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [order, setOrder] = useState<'best' | 'worst'>('best')
  const [artifacts] = useQuery((client) => client.experiments.artifacts({ id }), [id, refreshKey])
  const [error, setError] = useState<string | null>(null)
  const [pushing, setPushing] = useState(false)

  const download = async (artifact: 'predictions' | 'logs' | 'config', fileName: string, type: string) => {
    try {
      downloadText(fileName, await api.experiments.artifactText({ id, artifact }), type)
    } catch (e) {
      setError(errorMessage(t, e))
    }
  }

  if (artifacts.state !== 'ready') return null
  const { predictions, folders } = artifacts.value
  const exported = folders.map((f) => f.name).filter(isExport)
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="artifacts">
      {pushing && <PushDialog experimentId={id} experimentName={name} kinds={exported} onClose={() => setPushing(false)} />}
      <Stack spacing={2}>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
          <Typography variant="subtitle1" sx={{ flexGrow: 1 }}>
            {t('experiment.artifacts')}
          </Typography>
          <Button size="small" startIcon={<DownloadIcon />} disabled={!predictions} onClick={() => void download('predictions', `${name}-predictions.csv`, 'text/csv')}>
            {fileNames.predictions}
          </Button>
          <Button size="small" startIcon={<DownloadIcon />} onClick={() => void download('logs', `${name}-logs.txt`, 'text/plain')}>
            {fileNames.logs}
          </Button>
          <Button size="small" startIcon={<DownloadIcon />} onClick={() => void download('config', `${name}.cfg.yaml`, 'application/yaml')}>
            {fileNames.config}
          </Button>
          {exported.length > 0 && (
            <Button size="small" variant="outlined" startIcon={<UploadIcon />} onClick={() => setPushing(true)} data-testid="push-open">
              {t('push.open')}
            </Button>
          )}
        </Stack>
        {error && <Alert severity="error" onClose={() => setError(null)}>{error}</Alert>}
        {folders.map((folder) => (
          <Stack key={folder.name} direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid={`folder-${folder.name}`}>
            <Typography variant="body2" sx={{ width: 180 }}>
              {t(`experiment.folders.${folder.name}`)}
            </Typography>
            <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all', flexGrow: 1 }}>
              {folder.path}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              {formatBytes(folder.bytes)}
            </Typography>
            {isExport(folder.name) && <ExportDownload id={id} name={name} kind={folder.name} onError={setError} />}
            <Tooltip title={t('experiment.copyPath')}>
              <IconButton size="small" aria-label={t('experiment.copyPath')} onClick={() => void navigator.clipboard.writeText(folder.path)}>
                <CopyIcon fontSize="inherit" />
              </IconButton>
            </Tooltip>
          </Stack>
        ))}
        {predictions ? (
          <Box>
            <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 1 }}>
              <Typography variant="subtitle2">{t('experiment.predictions', { count: predictions.length })}</Typography>
              <ToggleButtonGroup exclusive size="small" value={order} onChange={(_, next: 'best' | 'worst' | null) => next && setOrder(next)}>
                <ToggleButton value="best" data-testid="predictions-best">
                  {t('experiment.bestFirst')}
                </ToggleButton>
                <ToggleButton value="worst" data-testid="predictions-worst">
                  {t('experiment.worstFirst')}
                </ToggleButton>
              </ToggleButtonGroup>
            </Stack>
            <Table size="small" data-testid="predictions">
              <TableHead>
                <TableRow>
                  <TableCell>{t('experiment.prompt')}</TableCell>
                  <TableCell>{t('experiment.target')}</TableCell>
                  <TableCell>{t('experiment.predicted')}</TableCell>
                  <TableCell align="right">{t('experiment.score')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {ordered(predictions, order)
                  .slice(0, SHOWN)
                  .map((row, i) => (
                    <TableRow key={i} data-testid="prediction-row">
                      <TableCell sx={{ whiteSpace: 'pre-wrap', verticalAlign: 'top' }}>{row.prompt}</TableCell>
                      <TableCell sx={{ whiteSpace: 'pre-wrap', verticalAlign: 'top' }}>{row.target}</TableCell>
                      <TableCell sx={{ whiteSpace: 'pre-wrap', verticalAlign: 'top' }}>{row.predicted}</TableCell>
                      <TableCell align="right" sx={{ verticalAlign: 'top' }} data-testid="prediction-score">
                        {row.score === null ? t('common.none') : format.number(row.score)}
                      </TableCell>
                    </TableRow>
                  ))}
              </TableBody>
            </Table>
          </Box>
        ) : (
          <Alert severity="info">{t('experiment.noPredictions')}</Alert>
        )}
      </Stack>
    </Paper>
  )
}
