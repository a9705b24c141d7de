/**
 * Cross-entropy on language-model logits, the two ways H2O LLM Studio averages it
 * (llm_studio/src/losses/text_causal_language_modeling_losses.py):
 *   TokenAveragedCrossEntropy  ("CrossEntropy" in the tutorial): the mean over every label token of the batch;
 *   SampleAveragedCrossEntropy: each sample's mean over its label tokens, then the mean over samples.
 * Labels equal to -100 are ignored (torch's ignore_index).
 *
 * Both are Σ_i w_i·nll_i with per-token weights computed on the host from the labels:
 *   token-averaged  w_i = 1/N (N label tokens in the batch);
 *   sample-averaged w_i = 1/(n_b·S) (n_b label tokens in sample b, S samples that have any).
 * So one fused kernel serves both. Legend: B batch, T time, V vocabulary, N = B·T rows.
 *
 * The fused kernel (tf.customGrad), why: nll_i = logsumexp(x_i) − x_i[y_i] needs x_i[y_i]. Autograd through
 * tf.gather needs UnsortedSegmentSum in the backward pass, which wasm lacks and the cpu backend runs once
 * per vocabulary id; x·oneHot(y) works everywhere but builds a B·T·V one-hot in the forward pass too.
 * The custom gradient picks with a gather forward and writes the known gradient
 *   ∂loss/∂x_i = w_i·(softmax(x_i) − oneHot(y_i))·dy
 * backward, one softmax and one one-hot. tests/unit/training/cross-entropy-speed.ts measures the choice.
 *
 * Departures: a batch with no label token gives loss 0 and zero gradient (torch gives NaN); in the
 * sample-averaged loss a sample with no label token is left out of the mean (torch would give NaN).
 */
import * as tf from '@tensorflow/tfjs'
import { fusedLogSumExpRows, fusedSoftmaxCrossEntropyGrad, hasFusedKernel } from '../models/fused-ops'

export const IGNORE_INDEX = -100

export const lossFunctionNames = ['TokenAveragedCrossEntropy', 'SampleAveragedCrossEntropy'] as const
export type LossFunctionName = (typeof lossFunctionNames)[number]

/** The tutorial calls the token-averaged loss "CrossEntropy". */
export function lossFunctionFromConfig(name: string): LossFunctionName {
  if (name === 'CrossEntropy' || name === 'TokenAveragedCrossEntropy') return 'TokenAveragedCrossEntropy'
  if (name === 'SampleAveragedCrossEntropy') return 'SampleAveragedCrossEntropy'
  throw new Error(`Unknown loss_function ${name}. Choose CrossEntropy (token-averaged) or SampleAveragedCrossEntropy.`)
}

/**
 * Shifts labels for next-token prediction: out[b, t] = labels[b, t + 1], out[b, T − 1] = -100, so logits at
 * t are scored against the token at t + 1 (Hugging Face shifts the logits instead; same pairs, no copy
 * of the large tensor here).
 */
export function nextTokenLabels(labels: Int32Array, batch: number, time: number): Int32Array {
  if (labels.length !== batch * time) throw new Error(`labels have ${labels.length} values, expected ${batch}×${time}`)
  const out = new Int32Array(batch * time)
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time - 1; t++) out[b * time + t] = labels[b * time + t + 1]!
    out[b * time + time - 1] = IGNORE_INDEX
  }
  return out
}

/** Per-token weights [B·T] for the chosen averaging. */
export function lossWeights(kind: LossFunctionName, labels: Int32Array, batch: number, time: number): Float32Array {
  const weights = new Float32Array(batch * time)
  if (kind === 'TokenAveragedCrossEntropy') {
    let count = 0
    for (const y of labels) if (y !== IGNORE_INDEX) count++
    if (count === 0) return weights
    for (let i = 0; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) weights[i] = 1 / count
    return weights
  }
  const perSample: number[] = []
  for (let b = 0; b < batch; b++) {
    let n = 0
    for (let t = 0; t < time; t++) if (labels[b * time + t] !== IGNORE_INDEX) n++
    perSample.push(n)
  }
  const samples = perSample.filter((n) => n > 0).length
  if (samples === 0) return weights
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) if (labels[b * time + t] !== IGNORE_INDEX) weights[b * time + t] = 1 / (perSample[b]! * samples)
  }
  return weights
}

function checkShapes(logits: tf.Tensor, labels: Int32Array): { rows: number; vocab: number } {
  const vocab = logits.shape[logits.shape.length - 1]!
  const rows = logits.size / vocab
  if (labels.length !== rows) throw new Error(`labels have ${labels.length} values but the logits have ${rows} rows of ${vocab}`)
  for (const y of labels) if (y !== IGNORE_INDEX && (y < 0 || y >= vocab)) throw new Error(`label ${y} is outside the vocabulary (0..${vocab - 1}); the tokenizer and the model disagree.`)
  return { rows, vocab }
}

/** The labels with ignored positions pointed at id 0 (their weight is 0), as an int32 tensor. */
function safeLabels(labels: Int32Array): tf.Tensor1D {
  return tf.tensor1d(labels.map((y) => (y === IGNORE_INDEX ? 0 : y)), 'int32')
}

/**
 * oneHot as float32. Not tf.oneHot(..., 'float32'): the wasm backend of tfjs 4.22 fills that with the
 * int32 bit patterns (all ~1e-45, i.e. zeros); an int32 one-hot cast to float32 is right everywhere.
 */
function floatOneHot(labels: Int32Array, vocab: number): tf.Tensor2D {
  return tf.oneHot(safeLabels(labels), vocab).cast('float32') as tf.Tensor2D
}

/** x[i, y_i] for each row: a gather on the flat logits (forward only: the custom gradient covers it). */
function pickLabelLogits(x: tf.Tensor2D, labels: Int32Array, vocab: number): tf.Tensor1D {
  const index = tf.tensor1d(labels.map((y, i) => i * vocab + (y === IGNORE_INDEX ? 0 : y)), 'int32')
  return tf.gather(x.reshape([-1]), index) as tf.Tensor1D
}

/**
 * Σ_i weights_i · (logsumexp(x_i) − x_i[labels_i]) as a scalar, differentiable in `logits` with the fused
 * gradient. logits: [..., V] float32; labels and weights: one value per row (B·T).
 */
export function weightedCrossEntropy(logits: tf.Tensor, labels: Int32Array, weights: Float32Array): tf.Scalar {
  const { rows, vocab } = checkShapes(logits, labels)
  if (weights.length !== rows) throw new Error(`weights have ${weights.length} values, expected ${rows}`)
  const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc]
    const x2 = x.reshape([rows, vocab]) as tf.Tensor2D // [N, V]
    const w = tf.tensor1d(weights) // [N]
    const fused = hasFusedKernel('logSumExpRows', x2)
    const logSumExp = fused ? fusedLogSumExpRows(x2) : tf.logSumExp(x2, 1) // [N]
    const nll = logSumExp.sub(pickLabelLogits(x2, labels, vocab)) // [N]
    save([x2, logSumExp, w])
    return {
      value: nll.mul(w).sum() as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [xs, lse, ws] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D]
        if (fused) return fusedSoftmaxCrossEntropyGrad(xs, lse, safeLabels(labels), ws.mul(dy) as tf.Tensor1D).reshape(x.shape)
        const softmax = tf.exp(xs.sub(lse.expandDims(1))) // [N, V]
        const oneHot = floatOneHot(labels, vocab) // [N, V]
        return softmax.sub(oneHot).mul(ws.mul(dy).expandDims(1)).reshape(x.shape)
      },
    }
  })
  return fused(logits) as tf.Scalar
}

/**
 * The training loss on aligned labels (labels[b, t] is the target of logits[b, t]; use nextTokenLabels
 * on the input's label ids first). logits: [B, T, V].
 */
export function causalLmLoss(kind: LossFunctionName, logits: tf.Tensor3D, labels: Int32Array): tf.Scalar {
  const [batch, time] = logits.shape
  return weightedCrossEntropy(logits, labels, lossWeights(kind, labels, batch, time))
}

/**
 * Per-token negative log-likelihood [B·T] on aligned labels, 0 where ignored; no gradient (evaluation,
 * perplexity). Returns host values: the caller has nothing to dispose.
 */
export async function tokenNegativeLogLikelihood(logits: tf.Tensor, labels: Int32Array): Promise<Float32Array> {
  const { rows, vocab } = checkShapes(logits, labels)
  const nll = tf.tidy(() => {
    const x2 = logits.reshape([rows, vocab]) as tf.Tensor2D
    const mask = tf.tensor1d(labels.map((y) => (y === IGNORE_INDEX ? 0 : 1)), 'float32')
    const logSumExp = hasFusedKernel('logSumExpRows', x2) ? fusedLogSumExpRows(x2) : tf.logSumExp(x2, 1)
    return logSumExp.sub(pickLabelLogits(x2, labels, vocab)).mul(mask)
  })
  const out = Float32Array.from((await nll.data()) as Float32Array) // data(): WebGPU in Node has no sync read
  nll.dispose()
  return out
}
