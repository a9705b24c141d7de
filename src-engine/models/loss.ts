/**
 * The causal LM loss as transformers computes it with labels = input_ids: shift by one (position t predicts
 * token t+1) and average the cross-entropy over the predicted positions whose label is not ignored.
 */
import * as tf from '@tensorflow/tfjs'

/**
 * logits [B,T,V], ids [B,T] int32, optional labelMask [B,T] (1 = count this token as a label, 0 = ignore,
 * like label −100) → scalar mean cross-entropy.
 */
export function causalLmLoss(logits: tf.Tensor3D, ids: tf.Tensor2D, labelMask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape
    const predicted = logits.slice([0, 0, 0], [B, T - 1, V]) // [B,T−1,V]
    const labels = ids.slice([0, 1], [B, T - 1]) // [B,T−1]
    // x − logsumexp(x) rather than tf.logSoftmax: its custom gradient trips TensorFlow.js' leak check on wasm
    const logProbs = predicted.sub(predicted.logSumExp(-1, true)) // [B,T−1,V]
    const picked = logProbs.mul(tf.oneHot(labels, V)).sum(-1) // [B,T−1]
    const weights = labelMask ? labelMask.slice([0, 1], [B, T - 1]).toFloat() : tf.onesLike(picked)
    return picked.mul(weights).sum().neg().div(weights.sum()) as tf.Scalar
  })
}
