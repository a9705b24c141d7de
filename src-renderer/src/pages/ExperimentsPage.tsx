import SearchIcon from '@mui/icons-material/Search'
import {
  Alert,
  Box,
  Chip,
  InputAdornment,
  LinearProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
  type ChipProps,
} from '@mui/material'
import { useDeferredValue, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExperimentStatus, ExperimentSummary } from '../../../src-shared/entities'
import { useQuery } from '../api/context'
import { PageHeader } from '../components/PageHeader'
import { useFormat, useNow } from '../format'

const statusColors: Record<ExperimentStatus, ChipProps['color']> = {
  queued: 'default',
  running: 'primary',
  finished: 'success',
  failed: 'error',
  stopped: 'warning',
  interrupted: 'warning',
}

function ProgressCell({ experiment }: { experiment: ExperimentSummary }) {
  const { t } = useTranslation()
  const format = useFormat()
  return (
    <Stack spacing={0.5} sx={{ minWidth: 140 }}>
      <LinearProgress variant="determinate" value={experiment.progress * 100} aria-label={t('experiments.columns.progress')} />
      <Typography variant="caption" color="text.secondary">
        {format.percent(experiment.progress)}
        {experiment.status === 'running' && experiment.etaSeconds !== null && ` · ${t('experiments.eta', { eta: format.duration(experiment.etaSeconds) })}`}
      </Typography>
    </Stack>
  )
}

export function ExperimentsPage() {
  const { t } = useTranslation()
  const format = useFormat()
  const now = useNow()
  const [search, setSearch] = useState('')
  const deferredSearch = useDeferredValue(search)
  const [experiments] = useQuery((api) => api.experiments.list({ search: deferredSearch }), [deferredSearch])

  return (
    <Box>
      <PageHeader
        title={t('experiments.title')}
        subtitle={experiments.state === 'ready' ? t('experiments.count', { count: experiments.value.length }) : undefined}
        actions={
          <TextField
            size="small"
            placeholder={t('experiments.search')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            slotProps={{ input: { startAdornment: <InputAdornment position="start"><SearchIcon fontSize="small" /></InputAdornment> } }}
            sx={{ width: 320 }}
          />
        }
      />
      {experiments.state === 'loading' && <LinearProgress />}
      {experiments.state === 'error' && <Alert severity="error">{t('common.error', { message: experiments.message })}</Alert>}
      {experiments.state === 'ready' && experiments.value.length === 0 && <Alert severity="info">{t('experiments.empty')}</Alert>}
      {experiments.state === 'ready' && experiments.value.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" data-testid="experiments-table">
            <TableHead>
              <TableRow>
                <TableCell>{t('experiments.columns.name')}</TableCell>
                <TableCell>{t('experiments.columns.backbone')}</TableCell>
                <TableCell>{t('experiments.columns.dataset')}</TableCell>
                <TableCell>{t('experiments.columns.status')}</TableCell>
                <TableCell>{t('experiments.columns.progress')}</TableCell>
                <TableCell align="right">{t('experiments.columns.bestMetric')}</TableCell>
                <TableCell>{t('experiments.columns.created')}</TableCell>
                <TableCell align="right">{t('experiments.columns.duration')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {experiments.value.map((experiment) => (
                <TableRow key={experiment.id} hover data-testid="experiment-row">
                  <TableCell sx={{ fontWeight: 500 }}>{experiment.name}</TableCell>
                  <TableCell>{experiment.backbone}</TableCell>
                  <TableCell>{experiment.datasetName ?? t('common.none')}</TableCell>
                  <TableCell>
                    <Chip size="small" color={statusColors[experiment.status]} label={t(`status.${experiment.status}`)} />
                  </TableCell>
                  <TableCell>
                    <ProgressCell experiment={experiment} />
                  </TableCell>
                  <TableCell align="right">
                    {experiment.bestMetric ? `${experiment.bestMetric.name} ${format.number(experiment.bestMetric.value)}` : t('common.none')}
                  </TableCell>
                  <TableCell>{format.dateTime(experiment.createdAt)}</TableCell>
                  <TableCell align="right">
                    {experiment.startedAt
                      ? format.duration(((experiment.finishedAt ?? now) - experiment.startedAt) / 1000)
                      : t('common.none')}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Box>
  )
}
