/**
 * Before launch: will this Config's run fit in the device's memory, and if not, what to change — with
 * concrete values (the largest batch_size or max_length that fits, not just "lower it"). Single changes
 * that fit on their own come first, least disruptive first; when none does, a combined plan adds the
 * biggest saving at each step until the estimate fits.
 */
import type { Config } from './config'
import { estimateMemory, estimateOnce, type FitChange, type MemoryFitEstimate, type MemoryFitInput, type OptimizerName } from './memory-fit'

export type AdvisedChange = FitChange & { total: number }

export interface FitAdvice {
  estimate: MemoryFitEstimate
  /** Each of these alone makes it fit; empty when it fits already or when no single change is enough. */
  single: AdvisedChange[]
  /** When no single change is enough: these together, in order (total after each), or null. */
  combined: AdvisedChange[] | null
}

/**
 * The estimate's input for a Config as this app's engine runs it: TensorFlow.js holds the weights in float32
 * whatever backbone_dtype says (it has no 16-bit tensors), so backbone_dtype neither lowers the estimate nor
 * is advised; gradient_checkpointing is applied per layer by the trainer, so it is both.
 */
export const ENGINE_CHANGES: FitChange['change'][] = ['gradientCheckpointing', 'lora', 'optimizer', 'batchSize', 'maxLength']

export function memoryInputFromConfig(config: Config, backboneConfig: Record<string, unknown>, deviceBytes?: number): MemoryFitInput {
  return {
    config: backboneConfig,
    dtype: 'float32',
    lora: config.training.lora,
    loraR: config.training.lora_r,
    loraTargetModules: config.training.lora_target_modules,
    batchSize: config.training.batch_size,
    maxLength: config.tokenizer.max_length,
    gradientCheckpointing: config.architecture.gradient_checkpointing,
    optimizer: config.training.optimizer as OptimizerName,
    deviceBytes,
  }
}

const fits = (input: MemoryFitInput) => estimateOnce(input).fits === true
const apply = (input: MemoryFitInput, change: FitChange): MemoryFitInput => ({ ...input, [change.change]: change.to })

/** The largest value below `current` (from `candidates`, descending) that fits, else the smallest candidate. */
function largestFitting(input: MemoryFitInput, key: 'batchSize' | 'maxLength', candidates: number[]): number | undefined {
  if (candidates.length === 0) return undefined
  return candidates.find((value) => fits({ ...input, [key]: value })) ?? candidates.at(-1)
}

/** Lengths to try below the current one: multiples of 32, down to 32. */
function shorterLengths(maxLength: number): number[] {
  const out: number[] = []
  for (let length = Math.floor((maxLength - 1) / 32) * 32; length >= 32; length -= 32) out.push(length)
  return out
}

/** The changes worth trying from these settings, least disruptive first (quality is untouched by the first). */
function candidates(input: MemoryFitInput, allowed: readonly FitChange['change'][]): FitChange[] {
  const changes: FitChange[] = []
  if (!input.gradientCheckpointing) changes.push({ change: 'gradientCheckpointing', to: true })
  if (!input.lora) changes.push({ change: 'lora', to: true })
  if (input.dtype === 'float32') changes.push({ change: 'dtype', to: 'bfloat16' })
  if (!input.lora && (input.optimizer ?? 'AdamW') === 'AdamW') changes.push({ change: 'optimizer', to: 'AdamW8bit' })
  const batch = largestFitting(input, 'batchSize', Array.from({ length: input.batchSize - 1 }, (_, i) => input.batchSize - 1 - i))
  if (batch !== undefined) changes.push({ change: 'batchSize', to: batch })
  const length = largestFitting(input, 'maxLength', shorterLengths(input.maxLength))
  if (length !== undefined) changes.push({ change: 'maxLength', to: length })
  return changes.filter((c) => allowed.includes(c.change))
}

const ALL_CHANGES: FitChange['change'][] = ['gradientCheckpointing', 'lora', 'dtype', 'optimizer', 'batchSize', 'maxLength']

/** `allowed`: the changes the engine honours (ENGINE_CHANGES for a Config run here); all by default. */
export function fitAdvice(input: MemoryFitInput, allowed: readonly FitChange['change'][] = ALL_CHANGES): FitAdvice {
  const estimate = estimateMemory(input)
  if (estimate.fits !== false) return { estimate, single: [], combined: null }
  const single = candidates(input, allowed)
    .map((change) => ({ change, next: apply(input, change) }))
    .filter(({ next }) => fits(next))
    .map(({ change, next }) => ({ ...change, total: estimateOnce(next).total }))
  if (single.length > 0) return { estimate, single, combined: null }

  const combined: AdvisedChange[] = []
  let current = input
  while (!fits(current)) {
    const best = candidates(current, allowed)
      .map((change) => ({ change, total: estimateOnce(apply(current, change)).total }))
      .filter(({ total }) => total < estimateOnce(current).total)
      .sort((a, b) => a.total - b.total)[0]
    if (!best) break // nothing left to lower: it does not fit on this device at all
    current = apply(current, best.change)
    combined.push({ ...best.change, total: best.total })
  }
  return { estimate, single, combined }
}
