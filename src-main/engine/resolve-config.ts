/**
 * What the engine child needs in place of the names a user picks: the Config names datasets by their id in
 * the history and backbones by Hub id (or the demo's); the engine reads files. The stored Config keeps
 * the names; only the copy sent to the engine carries paths.
 */
import type { HubClient } from '../hub/client'
import { resolveModelDir } from '../hub/service'
import type { History } from '../db'

type Loose = Record<string, unknown>

export function resolveConfigForEngine(config: unknown, history: History, hub: HubClient): unknown {
  if (!config || typeof config !== 'object') return config
  const resolved: Loose = { ...(config as Loose) }
  if (typeof resolved.llm_backbone === 'string') resolved.llm_backbone = resolveModelDir(hub, resolved.llm_backbone)
  const dataset = resolved.dataset
  if (dataset && typeof dataset === 'object') {
    const d: Loose = { ...(dataset as Loose) }
    for (const key of ['train_dataframe', 'validation_dataframe']) {
      const value = d[key]
      if (typeof value === 'string' && value !== '' && history.datasets.get(value)) d[key] = history.datasets.path(value)
    }
    resolved.dataset = d
  }
  return resolved
}
