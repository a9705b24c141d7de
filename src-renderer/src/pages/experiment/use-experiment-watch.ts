/**
 * Follows one experiment: the snapshot from the history, then live events, folded into one state.
 */
import { useEffect, useReducer } from 'react'
import type { ExperimentEvent, ExperimentSnapshot, ExperimentSummary, LogEntry, MetricPoint } from '../../../../src-shared/entities'
import { useTranslation } from 'react-i18next'
import { useApi } from '../../api/context'
import { errorMessage } from '../../api/errors'

export interface WatchedExperiment {
  experiment: ExperimentSummary | null
  /** metric name → points in step order */
  series: Record<string, MetricPoint[]>
  logs: LogEntry[]
  error: string | null
}

const initial: WatchedExperiment = { experiment: null, series: {}, logs: [], error: null }

type Action = { type: 'reset' } | { type: 'error'; message: string } | ExperimentSnapshot | ExperimentEvent

function addPoints(series: Record<string, MetricPoint[]>, points: MetricPoint[]): Record<string, MetricPoint[]> {
  const next = { ...series }
  for (const point of points) {
    // A resumed run re-logs steps after its checkpoint: the newer value replaces the older.
    const kept = (next[point.name] ?? []).filter((p) => p.step !== point.step)
    next[point.name] = [...kept, point].sort((a, b) => a.step - b.step)
  }
  return next
}

function reduce(state: WatchedExperiment, action: Action): WatchedExperiment {
  switch (action.type) {
    case 'reset':
      return initial
    case 'error':
      return { ...state, error: action.message }
    case 'snapshot':
      return { ...initial, experiment: action.experiment, series: addPoints({}, action.metrics), logs: action.logs }
    case 'status': {
      if (!state.experiment) return state
      const ended = ['finished', 'failed', 'stopped', 'interrupted'].includes(action.status)
      const now = Date.now()
      return {
        ...state,
        experiment: {
          ...state.experiment,
          status: action.status,
          error: action.error,
          errorCode: action.errorCode ?? null,
          // The host stamped these as the status changed; the page's clock is within a moment of it.
          startedAt: action.status === 'running' ? (state.experiment.startedAt ?? now) : state.experiment.startedAt,
          finishedAt: ended ? now : action.status === 'running' || action.status === 'queued' ? null : state.experiment.finishedAt,
          progress: action.status === 'finished' ? 1 : state.experiment.progress,
        },
      }
    }
    case 'progress':
      return state.experiment ? { ...state, experiment: { ...state.experiment, progress: action.progress, etaSeconds: action.etaSeconds } } : state
    case 'metrics':
      return { ...state, series: addPoints(state.series, action.points) }
    case 'log':
      return { ...state, logs: [...state.logs, { id: action.id, time: action.time, level: action.level, message: action.message }] }
    case 'engine':
      return { ...state, experiment: state.experiment && { ...state.experiment, backend: action.backend, device: action.device } }
  }
}

export function useExperimentWatch(id: string): WatchedExperiment {
  const api = useApi()
  const { t } = useTranslation()
  const [state, dispatch] = useReducer(reduce, initial)
  useEffect(() => {
    const controller = new AbortController()
    dispatch({ type: 'reset' })
    void (async () => {
      try {
        for await (const message of await api.experiments.watch({ id }, { signal: controller.signal })) dispatch(message)
      } catch (error) {
        if (!controller.signal.aborted) dispatch({ type: 'error', message: errorMessage(t, error) })
      }
    })()
    return () => controller.abort()
  }, [api, id, t])
  return state
}
