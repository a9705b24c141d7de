/**
 * The memory-fit check of the form: the backbone's config.json (when it is on this computer), the engine
 * device's memory (asked again whenever the engine's state changes), and the advice for this Config.
 */
import { useDeferredValue } from 'react'
import type { Config } from '../../../../src-shared/config'
import type { DeviceMemory } from '../../../../src-shared/entities'
import { ENGINE_CHANGES, fitAdvice, memoryInputFromConfig, type FitAdvice } from '../../../../src-shared/memory-advice'
import { useTranslation } from 'react-i18next'
import { useQuery, useStream } from '../../api/context'
import { errorMessage } from '../../api/errors'

export interface MemoryFit {
  backboneConfig: Record<string, unknown> | null
  device: DeviceMemory | null
  advice: FitAdvice | null
  /** Why there is no estimate for a backbone that is here (a family the estimate does not know). */
  problem: string | null
}

export function useMemoryFit(config: Config | null): MemoryFit {
  const { t } = useTranslation()
  const backbone = useDeferredValue(config?.llm_backbone ?? '')
  const [backboneQuery] = useQuery((api) => api.models.localConfig({ backbone }), [backbone])
  const engine = useStream((api, signal) => api.system.engine(undefined, { signal }), [])
  const [deviceQuery] = useQuery((api) => api.system.deviceMemory(), [engine?.state])
  const backboneConfig = backboneQuery.state === 'ready' ? backboneQuery.value : null
  const device = deviceQuery.state === 'ready' ? deviceQuery.value : null
  if (!config || !backboneConfig) return { backboneConfig, device, advice: null, problem: null }
  try {
    return { backboneConfig, device, advice: fitAdvice(memoryInputFromConfig(config, backboneConfig, device?.totalBytes ?? undefined), ENGINE_CHANGES), problem: null }
  } catch (error) {
    return { backboneConfig, device, advice: null, problem: errorMessage(t, error) }
  }
}
