import StartIcon from '@mui/icons-material/PlayArrow'
import ResumeIcon from '@mui/icons-material/Replay'
import SearchIcon from '@mui/icons-material/Search'
import StopIcon from '@mui/icons-material/Stop'
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TableSortLabel,
  IconButton,
  Snackbar,
  InputAdornment,
  LinearProgress,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
  type ChipProps,
} from '@mui/material'
import { useDeferredValue, useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { experimentStatuses, type ExperimentStatus, type ExperimentSummary } from '../../../src-shared/entities'
import { useApi, useQuery } from '../api/context'
import { errorMessage, runErrorMessage } from '../api/errors'
import { PageHeader } from '../components/PageHeader'
import { useFormat, useNow } from '../format'
import { hrefFor, navigate } from '../routes'
import { sortExperiments, type SortDirection, type SortKey } from './experiment-sort'
import { ExperimentRowMenu } from './ExperimentRowMenu'
import { askNotificationPermission } from '../components/RunNotifier'

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

type Action = 'start' | 'stop' | 'resume'

const actionsFor: Record<ExperimentStatus, Action[]> = {
  queued: ['start', 'stop'],
  running: ['stop'],
  finished: [],
  failed: ['start', 'resume'],
  stopped: ['start', 'resume'],
  interrupted: ['start', 'resume'],
}

const actionIcons: Record<Action, ReactNode> = { start: <StartIcon />, stop: <StopIcon />, resume: <ResumeIcon /> }

/** Live progress reported by running experiments, laid over the rows loaded from the history. */
type LiveProgress = Record<string, { progress: number; etaSeconds: number | null }>

export function ExperimentsPage() {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const now = useNow()
  const [search, setSearch] = useState('')
  const deferredSearch = useDeferredValue(search)
  const [statusFilter, setStatusFilter] = useState<ExperimentStatus[]>([])
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({ key: 'created', direction: 'desc' })
  const [loaded, reload] = useQuery(
    (client) => client.experiments.list({ search: deferredSearch, ...(statusFilter.length ? { status: statusFilter } : {}) }),
    [deferredSearch, statusFilter.join(',')],
  )
  const [live, setLive] = useState<LiveProgress>({})
  const [actionError, setActionError] = useState<string | null>(null)
  const [selected, setSelected] = useState<string[]>([])
  const toggle = (id: string) => setSelected((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]))

  useEffect(() => {
    const controller = new AbortController()
    void (async () => {
      try {
        for await (const { id, event } of await api.experiments.updates(undefined, { signal: controller.signal })) {
          if (event.type === 'status') reload()
          if (event.type === 'progress') setLive((previous) => ({ ...previous, [id]: { progress: event.progress, etaSeconds: event.etaSeconds } }))
        }
      } catch {
        /* aborted on unmount */
      }
    })()
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one subscription per mounted page
  }, [api])

  const experiments =
    loaded.state === 'ready'
      ? {
          ...loaded,
          value: sortExperiments(
            loaded.value.map((e) => (e.status === 'running' && live[e.id] ? { ...e, ...live[e.id] } : e)),
            sort.key,
            sort.direction,
            now,
          ),
        }
      : loaded
  const sortable = (key: SortKey, label: string) => (
    <TableSortLabel
      active={sort.key === key}
      direction={sort.key === key ? sort.direction : 'asc'}
      data-testid={`sort-${key}`}
      onClick={() => setSort((s) => ({ key, direction: s.key === key && s.direction === 'asc' ? 'desc' : 'asc' }))}
    >
      {label}
    </TableSortLabel>
  )

  const startDemo = async () => {
    askNotificationPermission()
    try {
      const demo = await api.experiments.startDemo()
      navigate('experiments', demo.id)
    } catch (error) {
      setActionError(errorMessage(t, error))
    }
  }

  const act = async (action: Action, id: string) => {
    if (action !== 'stop') askNotificationPermission()
    try {
      await api.experiments[action]({ id })
    } catch (error) {
      setActionError(errorMessage(t, error))
    }
    reload()
  }

  return (
    <Box>
      <PageHeader
        title={t('experiments.title')}
        subtitle={experiments.state === 'ready' ? t('experiments.count', { count: experiments.value.length }) : undefined}
        actions={
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
          <Tooltip title={t('experiments.demoHelp')}>
            <Button variant="outlined" startIcon={<StartIcon />} data-testid="start-demo" onClick={() => void startDemo()}>
              {t('experiments.demo')}
            </Button>
          </Tooltip>
          <Tooltip title={t('experiments.compareHelp')}>
            <span>
              <Button variant="outlined" data-testid="compare" disabled={selected.length < 2 || selected.length > 5} href={hrefFor('compare', selected.join(','))}>
                {t('experiments.compare', { count: selected.length })}
              </Button>
            </span>
          </Tooltip>
          <FormControl size="small" sx={{ minWidth: 180 }}>
            <InputLabel id="status-filter">{t('experiments.columns.status')}</InputLabel>
            <Select
              multiple
              labelId="status-filter"
              label={t('experiments.columns.status')}
              value={statusFilter}
              data-testid="status-filter"
              onChange={(event) => setStatusFilter(event.target.value as ExperimentStatus[])}
              renderValue={(values) => (values.length === 0 ? t('experiments.allStatuses') : values.map((v) => t(`status.${v}`)).join(', '))}
              displayEmpty
            >
              {experimentStatuses.map((status) => (
                <MenuItem key={status} value={status}>
                  {t(`status.${status}`)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <TextField
            size="small"
            placeholder={t('experiments.search')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            slotProps={{ input: { startAdornment: <InputAdornment position="start"><SearchIcon fontSize="small" /></InputAdornment> } }}
            sx={{ width: 320 }}
          />
          </Stack>
        }
      />
      {experiments.state === 'loading' && <LinearProgress />}
      {experiments.state === 'error' && <Alert severity="error">{t('common.error', { message: experiments.message })}</Alert>}
      {experiments.state === 'ready' && experiments.value.length === 0 && (
        <Alert severity="info" action={<Button color="inherit" onClick={() => void startDemo()}>{t('experiments.demo')}</Button>}>
          {t('experiments.empty')}
        </Alert>
      )}
      {experiments.state === 'ready' && experiments.value.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" data-testid="experiments-table">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>{sortable('name', t('experiments.columns.name'))}</TableCell>
                <TableCell>{t('experiments.columns.backbone')}</TableCell>
                <TableCell>{t('experiments.columns.dataset')}</TableCell>
                <TableCell>{sortable('status', t('experiments.columns.status'))}</TableCell>
                <TableCell>{t('experiments.columns.progress')}</TableCell>
                <TableCell align="right">{sortable('bestMetric', t('experiments.columns.bestMetric'))}</TableCell>
                <TableCell>{sortable('created', t('experiments.columns.created'))}</TableCell>
                <TableCell align="right">{sortable('duration', t('experiments.columns.duration'))}</TableCell>
                <TableCell align="right">{t('experiments.columns.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {experiments.value.map((experiment) => (
                <TableRow key={experiment.id} hover data-testid="experiment-row" selected={selected.includes(experiment.id)}>
                  <TableCell padding="checkbox">
                    <Checkbox size="small" checked={selected.includes(experiment.id)} onChange={() => toggle(experiment.id)} slotProps={{ input: { 'aria-label': t('experiments.select', { name: experiment.name }) } }} data-testid="experiment-select" />
                  </TableCell>
                  <TableCell sx={{ fontWeight: 500 }}>
                    <Link href={hrefFor('experiments', experiment.id)} underline="hover" data-testid="experiment-link">
                      {experiment.name}
                    </Link>
                  </TableCell>
                  <TableCell>{experiment.backbone}</TableCell>
                  <TableCell>{experiment.datasetName ?? t('common.none')}</TableCell>
                  <TableCell>
                    <Tooltip title={runErrorMessage(t, experiment.error, experiment.errorCode) ?? ''}>
                      <Chip size="small" color={statusColors[experiment.status]} label={t(`status.${experiment.status}`)} data-testid="experiment-status" />
                    </Tooltip>
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
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    {actionsFor[experiment.status].map((action) => (
                      <Tooltip key={action} title={t(`experiments.actions.${action}`)}>
                        <IconButton size="small" aria-label={t(`experiments.actions.${action}`)} data-testid={`action-${action}`} onClick={() => void act(action, experiment.id)}>
                          {actionIcons[action]}
                        </IconButton>
                      </Tooltip>
                    ))}
                    <ExperimentRowMenu experiment={experiment} onChanged={reload} onError={setActionError} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <Snackbar open={actionError !== null} autoHideDuration={8000} onClose={() => setActionError(null)}>
        <Alert severity="error" onClose={() => setActionError(null)} sx={{ maxWidth: 640 }} data-testid="action-error">
          {actionError}
        </Alert>
      </Snackbar>
    </Box>
  )
}
