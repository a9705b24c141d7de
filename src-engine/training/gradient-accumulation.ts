/**
 * Gradient accumulation over micro-batches: hold a running weighted sum of gradients, hand back the
 * weighted mean when the optimizer steps.
 *
 * Weights say how micro-batches combine:
 *   - weight 1 each (default): the mean over micro-batches. This is H2O LLM Studio's behaviour
 *     (loss / grad_accumulation before backward, gradients summed by autograd), so that
 *     batch_size × grad_accumulation = constant behaves like one large batch of per-batch-mean losses;
 *   - weight = the micro-batch's count of label tokens: exactly the gradient of the token-averaged loss
 *     over the union of the micro-batches (a mean over all their tokens), when each micro-batch's loss is
 *     its own token mean.
 * The held sums are kept outside tf.tidy (tf.keep) and freed by take() or dispose().
 */
import * as tf from '@tensorflow/tfjs'

export class GradientAccumulator {
  private sums: tf.NamedTensorMap = {}
  private totalWeight = 0
  /** Micro-batches added since the last take(). */
  count = 0

  /** Adds one micro-batch's gradients (not disposed: they are the caller's). */
  add(grads: tf.NamedTensorMap, weight = 1): void {
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`An accumulation weight must be a finite non-negative number, got ${weight}.`)
    for (const [name, g] of Object.entries(grads)) {
      const previous = this.sums[name]
      this.sums[name] = tf.keep(tf.tidy(() => (previous ? previous.add(g.mul(weight)) : g.mul(weight))))
      previous?.dispose()
    }
    this.totalWeight += weight
    this.count += 1
  }

  /** The weighted mean of what was added (new tensors, the caller's to dispose); resets the accumulator. */
  take(): tf.NamedTensorMap {
    if (this.count === 0) throw new Error('No gradients were accumulated since the last optimizer step.')
    const out: tf.NamedTensorMap = {}
    const divisor = this.totalWeight > 0 ? this.totalWeight : 1
    for (const [name, sum] of Object.entries(this.sums)) {
      out[name] = tf.tidy(() => sum.div(divisor))
      sum.dispose()
    }
    this.sums = {}
    this.totalWeight = 0
    this.count = 0
    return out
  }

  dispose(): void {
    for (const sum of Object.values(this.sums)) sum.dispose()
    this.sums = {}
    this.totalWeight = 0
    this.count = 0
  }
}

/**
 * True when micro-batch `index` (0-based) closes an accumulation window of `gradAccumulation` batches,
 * or is the epoch's last batch (a short final window still updates). H2O LLM Studio steps when
 * itr % grad_accumulation == 0, i.e. on the first batch alone and then on windows shifted by one; we step
 * at the end of full windows instead, so every update sees grad_accumulation batches.
 */
export function isOptimizerStep(index: number, gradAccumulation: number, isLastBatch = false): boolean {
  return (index + 1) % Math.max(1, gradAccumulation) === 0 || isLastBatch
}
