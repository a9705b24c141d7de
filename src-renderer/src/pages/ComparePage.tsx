/** Two to five experiments side by side: their metrics overlaid, and their configs with the differences. */
import BackIcon from '@mui/icons-material/ArrowBack'
import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  LinearProgress,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { diffConfigs } from '../../../src-shared/config-diff'
import type { ExperimentSummary, MetricPoint } from '../../../src-shared/entities'
import { useQuery } from '../api/context'
import { MetricChart } from '../components/MetricChart'
import { PageHeader } from '../components/PageHeader'
import { hrefFor } from '../routes'

interface Compared {
  experiment: ExperimentSummary
  metrics: MetricPoint[]
  config: unknown
}

export function ComparePage({ ids }: { ids: string[] }) {
  const { t, i18n } = useTranslation()
  const [differencesOnly, setDifferencesOnly] = useState(true)
  const [loaded] = useQuery(
    (api) =>
      Promise.all(
        ids.map(async (id): Promise<Compared> => {
          const [experiment, metrics, config] = await Promise.all([api.experiments.get({ id }), api.experiments.metrics({ id }), api.experiments.config({ id })])
          return { experiment, metrics, config }
        }),
      ),
    [ids.join(',')],
  )

  const metricLabel = (name: string) => (i18n.exists(`metrics.${name}`) ? t(`metrics.${name}`) : name)

  return (
    <Box>
      <Button href={hrefFor('experiments')} startIcon={<BackIcon />} size="small" sx={{ mb: 1 }}>
        {t('experiment.back')}
      </Button>
      <PageHeader title={t('compare.title')} subtitle={t('compare.count', { count: ids.length })} />
      {loaded.state === 'loading' && <LinearProgress />}
      {loaded.state === 'error' && <Alert severity="error">{t('common.error', { message: loaded.message })}</Alert>}
      {loaded.state === 'ready' &&
        (() => {
          const compared = loaded.value
          const names = [...new Set(compared.flatMap((c) => c.metrics.map((p) => p.name)))].sort()
          const rows = diffConfigs(compared.map((c) => c.config)).filter((row) => !differencesOnly || row.differs)
          return (
            <Stack spacing={3}>
              <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', xl: '1fr 1fr' }, gap: 2 }}>
                {names.map((name) => (
                  <Paper key={name} variant="outlined" sx={{ p: 2 }} data-testid={`compare-chart-${name}`}>
                    <Typography variant="subtitle2" sx={{ mb: 1 }}>
                      {metricLabel(name)}
                    </Typography>
                    <MetricChart
                      legend
                      stepLabel={t('experiment.step')}
                      series={compared.map((c) => ({ label: c.experiment.name, points: c.metrics.filter((p) => p.name === name) }))}
                    />
                  </Paper>
                ))}
                {names.length === 0 && <Alert severity="info">{t('compare.noMetrics')}</Alert>}
              </Box>
              <Paper variant="outlined" sx={{ p: 2 }}>
                <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', mb: 1 }}>
                  <Typography variant="subtitle1">{t('experiment.config')}</Typography>
                  <FormControlLabel
                    control={<Switch checked={differencesOnly} onChange={(event) => setDifferencesOnly(event.target.checked)} data-testid="differences-only" />}
                    label={t('compare.differencesOnly')}
                  />
                </Stack>
                <TableContainer>
                  <Table size="small" data-testid="config-diff">
                    <TableHead>
                      <TableRow>
                        <TableCell>{t('compare.parameter')}</TableCell>
                        {compared.map((c) => (
                          <TableCell key={c.experiment.id}>{c.experiment.name}</TableCell>
                        ))}
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {rows.map((row) => (
                        <TableRow key={row.key} data-testid="diff-row" sx={row.differs ? { bgcolor: 'action.hover' } : undefined}>
                          <TableCell sx={{ fontFamily: 'monospace' }}>{row.key}</TableCell>
                          {row.values.map((value, i) => (
                            <TableCell key={i} sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                              {value === '' ? t('common.none') : value}
                            </TableCell>
                          ))}
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                </TableContainer>
                {rows.length === 0 && <Alert severity="info">{t('compare.identical')}</Alert>}
              </Paper>
            </Stack>
          )
        })()}
    </Box>
  )
}
