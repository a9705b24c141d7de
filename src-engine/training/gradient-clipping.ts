/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2, foreach irrelevant):
 *   total_norm = √(Σ over tensors of ‖g‖₂²)
 *   clip_coef  = max_norm / (total_norm + 1e-6), clamped to at most 1
 *   every g ← g · clip_coef
 * and the total norm (before clipping) is returned, for the "grad norm" log line.
 * A non-finite norm is returned as is and the gradients are scaled by NaN, as torch does by default
 * (error_if_nonfinite=False): the caller decides whether to skip the step.
 */
import * as tf from '@tensorflow/tfjs'

export interface ClippedGradients {
  grads: tf.NamedTensorMap
  /** The global norm before clipping. */
  totalNorm: number
  /** False when the norm was within max_norm: `grads` are then the very tensors passed in. */
  clipped: boolean
}

/** The global L2 norm of all gradients. */
export async function globalNorm(grads: tf.NamedTensorMap): Promise<number> {
  const squared = tf.tidy(() => tf.addN(Object.values(grads).map((g) => g.square().sum())))
  const value = (await squared.data())[0]! // data(), not dataSync(): WebGPU in Node reads back asynchronously only
  squared.dispose()
  return Math.sqrt(value)
}

/**
 * Returns new, clipped gradient tensors (the caller disposes inputs and outputs); when no scaling is
 * needed it returns the tensors it was given (clipped: false), so nothing is copied on most steps.
 */
export async function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): Promise<ClippedGradients> {
  if (!(maxNorm > 0)) throw new Error(`gradient_clip must be positive to clip (0 turns clipping off), got ${maxNorm}.`)
  const totalNorm = await globalNorm(grads)
  const coefficient = Math.min(1, maxNorm / (totalNorm + 1e-6))
  if (coefficient === 1) return { grads, totalNorm, clipped: false }
  const clipped: tf.NamedTensorMap = {}
  for (const [name, g] of Object.entries(grads)) clipped[name] = tf.tidy(() => g.mul(coefficient))
  return { grads: clipped, totalNorm, clipped: true }
}
