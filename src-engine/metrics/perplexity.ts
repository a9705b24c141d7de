/**
 * Perplexity, the validation metric "Perplexity" (lower is better), as H2O LLM Studio computes it
 * (llm_studio/src/metrics/text_causal_language_modeling_metrics.py, class Perplexity): per sample,
 * exp(mean negative log-likelihood over its label tokens); the metric is the mean of those per-sample
 * values. We also report the corpus perplexity, exp(mean NLL over all label tokens), which weights long
 * answers more and is what "perplexity of the validation set" means elsewhere.
 *
 * A sample with no label token has no perplexity (torch gives NaN): it is NaN in perSample and left out
 * of both means.
 *
 * Validation runs in batches, so the accumulator takes one batch at a time: aligned labels [B·T] and the
 * per-token NLL that tokenNegativeLogLikelihood gives for them.
 */
import type * as tf from '@tensorflow/tfjs'
import { IGNORE_INDEX, tokenNegativeLogLikelihood } from '../training/cross-entropy'

export interface PerplexityResult {
  /** exp(mean NLL) of each sample, in the order added; NaN for a sample without label tokens. */
  perSample: number[]
  /** Mean of the per-sample perplexities: the metric H2O reports. */
  mean: number
  /** exp(mean NLL over every label token). */
  corpus: number
}

export class PerplexityAccumulator {
  private readonly perSample: number[] = []
  private nllSum = 0
  private tokenCount = 0

  /** One batch: per-token NLL and aligned labels, both [batch × time]. */
  addBatch(nll: Float32Array, labels: Int32Array, batch: number, time: number): void {
    if (nll.length !== batch * time || labels.length !== batch * time) throw new Error(`perplexity needs ${batch}×${time} values, got ${nll.length} NLL and ${labels.length} labels`)
    for (let b = 0; b < batch; b++) {
      let sum = 0
      let count = 0
      for (let t = 0; t < time; t++) {
        const i = b * time + t
        if (labels[i] === IGNORE_INDEX) continue
        sum += nll[i]!
        count++
      }
      this.perSample.push(count > 0 ? Math.exp(sum / count) : Number.NaN)
      this.nllSum += sum
      this.tokenCount += count
    }
  }

  /** One batch straight from logits [B, T, V] and aligned labels. */
  async addLogits(logits: tf.Tensor3D, labels: Int32Array): Promise<void> {
    const [batch, time] = logits.shape
    this.addBatch(await tokenNegativeLogLikelihood(logits, labels), labels, batch, time)
  }

  result(): PerplexityResult {
    const valid = this.perSample.filter((p) => !Number.isNaN(p))
    return {
      perSample: [...this.perSample],
      mean: valid.length > 0 ? valid.reduce((a, b) => a + b, 0) / valid.length : Number.NaN,
      corpus: this.tokenCount > 0 ? Math.exp(this.nllSum / this.tokenCount) : Number.NaN,
    }
  }
}
