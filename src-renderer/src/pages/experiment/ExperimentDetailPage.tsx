/** One experiment: status and progress, live charts, summary, logs that follow, and its configuration. */
import BackIcon from '@mui/icons-material/ArrowBack'
import DownloadIcon from '@mui/icons-material/Download'
import {
  Alert,
  Box,
  Button,
  Chip,
  LinearProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@mui/material'
import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { MetricPoint } from '../../../../src-shared/entities'
import { ConfigSchema, configToYaml } from '../../../../src-shared/config'
import { useQuery } from '../../api/context'
import { runErrorMessage } from '../../api/errors'
import { downloadText } from '../../download'
import { configFileName } from '../new-experiment/yaml-files'
import { MetricChart } from '../../components/MetricChart'
import { PageHeader } from '../../components/PageHeader'
import { useFormat, useNow } from '../../format'
import { hrefFor } from '../../routes'
import { ArtifactsPanel } from './ArtifactsPanel'
import { useExperimentWatch } from './use-experiment-watch'

/** Charts in the order a beginner reads them; any other metric the engine logs gets a chart after these. */
const chartOrder = ['loss', 'metric', 'train/lr', 'train/tokens_per_s', 'train/grad_norm'] as const

function chartGroups(series: Record<string, MetricPoint[]>): { key: string; names: string[] }[] {
  const names = Object.keys(series)
  const groups: { key: string; names: string[] }[] = []
  const losses = names.filter((n) => n === 'train/loss' || n === 'val/loss')
  if (losses.length) groups.push({ key: 'loss', names: losses })
  const metrics = names.filter((n) => n.startsWith('val/') && n !== 'val/loss')
  if (metrics.length) groups.push({ key: 'metric', names: metrics })
  for (const name of chartOrder.slice(2)) if (series[name]) groups.push({ key: name, names: [name] })
  const used = new Set(groups.flatMap((g) => g.names))
  for (const name of names.filter((n) => !used.has(n)).sort()) groups.push({ key: name, names: [name] })
  return groups
}

function SummaryRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <TableRow>
      <TableCell sx={{ color: 'text.secondary', width: '40%' }}>{label}</TableCell>
      <TableCell>{children}</TableCell>
    </TableRow>
  )
}

/** The saved config as cfg.yaml text when it is a valid Config, else as it was stored (JSON). */
function configText(stored: unknown): { text: string; yaml: boolean } {
  const parsed = ConfigSchema.safeParse(stored)
  return parsed.success ? { text: configToYaml(parsed.data), yaml: true } : { text: JSON.stringify(stored, null, 2), yaml: false }
}

export function ExperimentDetailPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation()
  const format = useFormat()
  const now = useNow()
  const watched = useExperimentWatch(id)
  const [config] = useQuery((api) => api.experiments.config({ id }), [id])
  const logEnd = useRef<HTMLDivElement>(null)
  useEffect(() => {
    logEnd.current?.scrollIntoView({ block: 'nearest' })
  }, [watched.logs.length])

  const metricLabel = (name: string) => (i18n.exists(`metrics.${name}`) ? t(`metrics.${name}`) : name)
  const experiment = watched.experiment

  return (
    <Box>
      <Button href={hrefFor('experiments')} startIcon={<BackIcon />} size="small" sx={{ mb: 1 }}>
        {t('experiment.back')}
      </Button>
      {watched.error && <Alert severity="error">{t('common.error', { message: watched.error })}</Alert>}
      {!experiment && !watched.error && <LinearProgress />}
      {experiment && (
        <Stack spacing={3}>
          <PageHeader
            title={experiment.name}
            subtitle={[experiment.backbone, experiment.datasetName].filter(Boolean).join(' · ')}
            actions={<Chip label={t(`status.${experiment.status}`)} data-testid="detail-status" />}
          />
          <Paper variant="outlined" sx={{ p: 2 }}>
            <Stack spacing={1}>
              <LinearProgress variant="determinate" value={experiment.progress * 100} aria-label={t('experiments.columns.progress')} />
              <Typography variant="body2" color="text.secondary" data-testid="detail-progress">
                {format.percent(experiment.progress)}
                {experiment.status === 'running' && experiment.etaSeconds !== null && ` · ${t('experiments.eta', { eta: format.duration(experiment.etaSeconds) })}`}
              </Typography>
              {experiment.error && (
                <Alert severity={experiment.status === 'interrupted' ? 'warning' : 'error'} data-testid="experiment-error">
                  {runErrorMessage(t, experiment.error, experiment.errorCode)}
                </Alert>
              )}
            </Stack>
          </Paper>

          <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '360px 1fr' }, gap: 3, alignItems: 'start' }}>
            <Paper variant="outlined">
              <Table size="small">
                <TableBody>
                  <SummaryRow label={t('experiment.backend')}>{experiment.backend ?? t('common.none')}</SummaryRow>
                  <SummaryRow label={t('experiment.device')}>{experiment.device ?? t('common.none')}</SummaryRow>
                  <SummaryRow label={t('experiments.columns.bestMetric')}>
                    {experiment.bestMetric ? `${metricLabel(experiment.bestMetric.name)} ${format.number(experiment.bestMetric.value)}` : t('common.none')}
                  </SummaryRow>
                  <SummaryRow label={t('experiments.columns.created')}>{format.dateTime(experiment.createdAt)}</SummaryRow>
                  <SummaryRow label={t('experiment.started')}>{experiment.startedAt ? format.dateTime(experiment.startedAt) : t('common.none')}</SummaryRow>
                  <SummaryRow label={t('experiment.finished')}>{experiment.finishedAt ? format.dateTime(experiment.finishedAt) : t('common.none')}</SummaryRow>
                  <SummaryRow label={t('experiments.columns.duration')}>
                    {experiment.startedAt ? format.duration(((experiment.finishedAt ?? now) - experiment.startedAt) / 1000) : t('common.none')}
                  </SummaryRow>
                </TableBody>
              </Table>
            </Paper>
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', xl: '1fr 1fr' }, gap: 2 }} data-testid="charts">
              {chartGroups(watched.series).map((group) => (
                <Paper key={group.key} variant="outlined" sx={{ p: 2 }} data-testid={`chart-${group.key}`}>
                  <Typography variant="subtitle2" sx={{ mb: 1 }}>
                    {i18n.exists(`metrics.${group.key}`) ? t(`metrics.${group.key}`) : group.key}
                  </Typography>
                  <MetricChart stepLabel={t('experiment.step')} legend={group.names.length > 1 || group.key === 'metric'} series={group.names.map((name) => ({ label: metricLabel(name), points: watched.series[name]! }))} />
                </Paper>
              ))}
              {Object.keys(watched.series).length === 0 && <Alert severity="info">{t('experiment.noMetrics')}</Alert>}
            </Box>
          </Box>

          <ArtifactsPanel id={id} name={experiment.name} refreshKey={experiment.status} />

          <Paper variant="outlined" sx={{ p: 2 }}>
            <Typography variant="subtitle1" sx={{ mb: 1 }}>
              {t('experiment.logs')}
            </Typography>
            <Box sx={{ maxHeight: 320, overflow: 'auto', fontFamily: 'monospace', fontSize: 13 }} data-testid="logs">
              {watched.logs.map((line) => (
                <Box key={line.id} sx={{ color: line.level === 'error' ? 'error.main' : line.level === 'warn' ? 'warning.main' : 'text.primary', whiteSpace: 'pre-wrap' }}>
                  {`${new Date(line.time).toLocaleTimeString(i18n.language)}  ${line.message}`}
                </Box>
              ))}
              <div ref={logEnd} />
            </Box>
          </Paper>

          <Paper variant="outlined" sx={{ p: 2 }}>
            <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', mb: 1 }}>
              <Typography variant="subtitle1">{t('experiment.config')}</Typography>
              {config.state === 'ready' && (
                <Button
                  size="small"
                  startIcon={<DownloadIcon />}
                  onClick={() => {
                    const { text, yaml } = configText(config.value)
                    downloadText(yaml ? configFileName(experiment.name) : `${experiment.name}.json`, text, yaml ? 'application/yaml' : 'application/json')
                  }}
                >
                  {t('experiment.downloadConfig')}
                </Button>
              )}
            </Stack>
            {config.state === 'ready' && (
              <Box component="pre" sx={{ m: 0, maxHeight: 320, overflow: 'auto', fontSize: 13 }} data-testid="config">
                {configText(config.value).text}
              </Box>
            )}
          </Paper>
        </Stack>
      )}
    </Box>
  )
}
