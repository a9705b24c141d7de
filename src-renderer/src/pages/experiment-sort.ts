/** Sorting the experiments table by a column; ties keep the newest first. */
import type { ExperimentSummary } from '../../../src-shared/entities'

export type SortKey = 'name' | 'status' | 'created' | 'duration' | 'bestMetric'
export type SortDirection = 'asc' | 'desc'

function keyOf(e: ExperimentSummary, key: SortKey, now: number): string | number {
  switch (key) {
    case 'name':
      return e.name.toLocaleLowerCase()
    case 'status':
      return e.status
    case 'created':
      return e.createdAt
    case 'duration':
      return e.startedAt ? (e.finishedAt ?? now) - e.startedAt : -1
    case 'bestMetric':
      return e.bestMetric?.value ?? Number.NEGATIVE_INFINITY
  }
}

export function sortExperiments(list: readonly ExperimentSummary[], key: SortKey, direction: SortDirection, now: number): ExperimentSummary[] {
  const sign = direction === 'asc' ? 1 : -1
  return [...list].sort((a, b) => {
    const x = keyOf(a, key, now)
    const y = keyOf(b, key, now)
    if (x < y) return -sign
    if (x > y) return sign
    return b.createdAt - a.createdAt
  })
}
