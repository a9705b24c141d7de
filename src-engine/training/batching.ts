/**
 * Batches for the training loop, as H2O LLM Studio forms them: an epoch's order is a seeded shuffle,
 * batch_size samples a batch, a short last batch dropped when drop_last_batch; each batch is left-padded
 * (the decoder-only convention, as H2O's tokenizer is set up) to its longest sample, or, while training
 * with padding_quantile < 1, cut to floor(quantile(lengths, q)) positions keeping each row's end
 * (H2O's batch_padding: batch[key][:, -idx:], torch.quantile with linear interpolation).
 *
 * The shuffle of epoch e is a function of (seed, e) alone, so a resumed run needs only the epoch and the
 * batch index to continue with the same batches.
 */
import { positionsFromMask } from '../generation/stepper'
import { IGNORE_INDEX } from './cross-entropy'
import { seededPermutation, type TokenizedSample } from './dataset'

export interface Batch {
  /** [B·T] row-major */
  ids: Int32Array
  /** [B·T] labels at the input positions (shift with nextTokenLabels for the loss); -100 on padding. */
  labels: Int32Array
  /** [B][T] 1 = real token */
  mask: number[][]
  /** [B][T] positions counting real tokens only */
  positions: number[][]
  batch: number
  time: number
  /** Real (non-padding) tokens in the batch. */
  tokens: number
  /** Indices of the samples in their split. */
  sampleIndices: number[]
}

export function batchesPerEpoch(samples: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(samples / batchSize) : Math.ceil(samples / batchSize)
}

/** Sample order of one epoch: a shuffle seeded by the run's seed and the epoch number. */
export function epochOrder(samples: number, seed: number, epoch: number): number[] {
  return seededPermutation(samples, (seed * 1_000_003 + epoch * 7919 + 17) >>> 0)
}

/** torch.quantile(values, q) with linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const position = q * (sorted.length - 1)
  const low = Math.floor(position)
  const high = Math.min(sorted.length - 1, low + 1)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

/** The padded length of a batch with these sample lengths. */
export function paddedLength(lengths: readonly number[], paddingQuantile: number): number {
  const longest = Math.max(...lengths)
  if (paddingQuantile >= 1) return longest
  return Math.max(1, Math.min(longest, Math.floor(quantile(lengths, paddingQuantile))))
}

export function makeBatch(samples: readonly TokenizedSample[], indices: readonly number[], padTokenId: number, paddingQuantile = 1): Batch {
  const rows = indices.map((i) => samples[i]!)
  const T = paddedLength(rows.map((s) => s.ids.length), paddingQuantile)
  const B = rows.length
  const ids = new Int32Array(B * T).fill(padTokenId)
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX)
  const mask: number[][] = []
  let tokens = 0
  rows.forEach((s, b) => {
    const keep = Math.min(T, s.ids.length)
    const from = s.ids.length - keep
    const offset = T - keep
    for (let t = 0; t < keep; t++) {
      ids[b * T + offset + t] = s.ids[from + t]!
      labels[b * T + offset + t] = s.labels[from + t]!
    }
    tokens += keep
    mask.push(Array.from({ length: T }, (_, t) => (t < offset ? 0 : 1)))
  })
  return { ids, labels, mask, positions: positionsFromMask(mask), batch: B, time: T, tokens, sampleIndices: [...indices] }
}

/** The sample indices of batch `k` of an epoch's order. */
export function batchIndices(order: readonly number[], k: number, batchSize: number): number[] {
  return order.slice(k * batchSize, (k + 1) * batchSize)
}
