import MemoryIcon from '@mui/icons-material/Memory'
import { Chip, CircularProgress, Tooltip } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { EngineStatus } from '../../../src-shared/entities'
import { useStream } from '../api/context'

/** The engine child's state: which tensor backend it chose, on which device — or why it could not start. */
export function EngineChip() {
  const { t } = useTranslation()
  const status = useStream<EngineStatus>((api, signal) => api.system.engine(undefined, { signal }), [])
  if (!status || status.state === 'starting') {
    return <Chip data-testid="engine-chip" data-state="starting" icon={<CircularProgress size={14} />} label={t('engine.starting')} variant="outlined" />
  }
  if (status.state === 'failed') {
    return (
      <Tooltip title={status.message}>
        <Chip data-testid="engine-chip" data-state="failed" color="error" icon={<MemoryIcon />} label={t('engine.failed')} />
      </Tooltip>
    )
  }
  const { info } = status
  const details = [
    t('engine.details', { device: info.device, version: info.tfjsVersion, ms: info.startedInMs }),
    t('engine.ladder', { ladder: info.ladder.map((s) => `${s.backend} ${s.ok ? '✓' : `✗ (${s.reason})`}`).join(', ') }),
    t('engine.precision', { note: info.precisionNote }),
  ]
  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{details.join('\n')}</span>}>
      <Chip
        data-testid="engine-chip"
        data-state="ready"
        color="success"
        icon={<MemoryIcon />}
        label={t('engine.ready', { backend: info.backend })}
      />
    </Tooltip>
  )
}
