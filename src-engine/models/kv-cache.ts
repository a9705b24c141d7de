/**
 * The KV cache of generation: keys and values of the positions seen so far, per layer, in at most two
 * segments along the key axis S, so that a new token does not copy the whole cache.
 *
 * Why segments: TensorFlow.js tensors are immutable and its API has no in-place write into a preallocated
 * buffer, so a cache grown by concatenation copies all S positions of every layer at every token (and the
 * attention's transpose-first key product, see PLATFORM-NOTES, copied the keys once more). Here
 *   settled  positions 0 … s−1, replaced only when `recent` is full (once every BLOCK tokens);
 *   recent   the last positions (at most BLOCK once the prompt has settled), grown by concatenation.
 * A token copies `recent` (≤ BLOCK positions); folding `recent` into `settled` copies the whole cache once
 * per BLOCK tokens (the first fold just moves it). Keys are held transposed, [B,K,D,S], so attention's
 * q·kᵀ needs no per-token transpose either; values [B,K,S,D]. attention() takes the segments and scores
 * each (scores are concatenated, D times smaller than the keys).
 *
 * Dimension letters as layers.ts: B batch, K key/value heads, T new positions, S key positions, D head dim.
 */
import * as tf from '@tensorflow/tfjs'

/** Keys (transposed) and values for attention, as segments along the key axis, oldest first. */
export interface AttentionKV {
  /** [B,K,D,S_i] */
  keysT: tf.Tensor4D[]
  /** [B,K,S_i,D] */
  values: tf.Tensor4D[]
}

/** Without a cache (training, recomputation): this step's k, v [B,K,T,D] as one segment. */
export function freshKV(k: tf.Tensor4D, v: tf.Tensor4D): AttentionKV {
  return { keysT: [k.transpose([0, 1, 3, 2])], values: [v] }
}

/** Positions per recent block: small enough that per-token copies stay small, large enough that folds are rare. */
export const KV_BLOCK = 32

interface Segment {
  kT: tf.Tensor4D // [B,K,D,S]
  v: tf.Tensor4D // [B,K,S,D]
}

interface LayerEntry {
  settled: Segment | null
  recent: Segment
}

const positionsOf = (s: Segment | null): number => s?.v.shape[2] ?? 0

function disposeSegment(s: Segment | null): void {
  s?.kT.dispose()
  s?.v.dispose()
}

export class KVCache {
  private readonly entries: (LayerEntry | null)[]

  constructor(readonly layers: number) {
    this.entries = Array.from({ length: layers }, () => null)
  }

  /** Positions held (S before this step's append). */
  get length(): number {
    const e = this.entries[0]
    return e ? positionsOf(e.settled) + positionsOf(e.recent) : 0
  }

  /** Append this step's k, v [B,K,T,D]; returns the segments to attend over (owned by the cache). */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): AttentionKV {
    const kT = k.transpose([0, 1, 3, 2]) as tf.Tensor4D // [B,K,D,T]: small, this step's positions only
    const prev = this.entries[layer]
    let next: LayerEntry
    if (!prev) {
      next = { settled: null, recent: { kT: tf.keep(kT), v: tf.keep(v.clone()) } }
    } else {
      let settled = prev.settled
      let recent: Segment | null = prev.recent
      if (positionsOf(recent) >= KV_BLOCK) {
        settled = settled ? { kT: tf.keep(tf.concat([settled.kT, recent.kT], 3)), v: tf.keep(tf.concat([settled.v, recent.v], 2)) } : recent
        if (prev.settled) {
          disposeSegment(prev.settled)
          disposeSegment(recent)
        }
        recent = null
      }
      const grown = recent ? { kT: tf.keep(tf.concat([recent.kT, kT], 3)), v: tf.keep(tf.concat([recent.v, v], 2)) } : { kT: tf.keep(kT), v: tf.keep(v.clone()) }
      disposeSegment(recent)
      next = { settled, recent: grown }
    }
    this.entries[layer] = next
    const segments = next.settled ? [next.settled, next.recent] : [next.recent]
    return { keysT: segments.map((s) => s.kT), values: segments.map((s) => s.v) }
  }

  /** Keep rows `rows` of the batch, in that order (beam search reordering). */
  select(rows: readonly number[]): void {
    const index = tf.tensor1d([...rows], 'int32')
    const pick = (s: Segment): Segment => ({ kT: tf.keep(tf.gather(s.kT, index)), v: tf.keep(tf.gather(s.v, index)) })
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]
      if (!e) continue
      this.entries[i] = { settled: e.settled ? pick(e.settled) : null, recent: pick(e.recent) }
      disposeSegment(e.settled)
      disposeSegment(e.recent)
    }
    index.dispose()
  }

  dispose(): void {
    for (const e of this.entries) {
      disposeSegment(e?.settled ?? null)
      disposeSegment(e?.recent ?? null)
    }
    this.entries.fill(null)
  }
}
