/**
 * Fused versions of ops a training step spends most of its elementwise time in (tanh GELU, layer norm, the
 * cross-entropy's log-sum-exp and gradient, the Adam update). A backend may register kernels under these names (the native
 * backend does); where the active backend has none, callers use the composed tfjs ops, so the model code
 * stays backend-neutral and every backend computes the same function.
 */
import * as tf from '@tensorflow/tfjs'

export const fusedKernelNames = {
  geluTanh: 'FtnGeluTanh',
  geluTanhGrad: 'FtnGeluTanhGrad',
  layerNorm: 'FtnLayerNorm',
  layerNormGrad: 'FtnLayerNormGrad',
  logSumExpRows: 'FtnLogSumExpRows',
  softmaxCrossEntropyGrad: 'FtnSoftmaxCrossEntropyGrad',
  adamStep: 'FtnAdamStep',
} as const

/** "0" turns the fused kernels off everywhere (the composed ops run): what `npm run bench -- --unfused` measures. */
export const FUSED_KERNELS_ENV = 'FINETUNE_STUDIO_FUSED'

/** Read once: hasFusedKernel runs for every norm, activation and loss of a step. */
let fusedEnabled = process.env[FUSED_KERNELS_ENV] !== '0'

/** Turn the fused kernels on or off in this process (scripts that time both in one run). */
export function setFusedKernelsEnabled(enabled: boolean): void {
  fusedEnabled = enabled
}

/** Whether the active backend has the fused kernel (and the input is one it takes: float32). */
export function hasFusedKernel(name: keyof typeof fusedKernelNames, x: tf.Tensor): boolean {
  return fusedEnabled && x.dtype === 'float32' && tf.getKernel(fusedKernelNames[name], tf.getBackend()) !== undefined
}

function run<T extends tf.Tensor | tf.Tensor[]>(name: keyof typeof fusedKernelNames, inputs: Record<string, tf.Tensor>, attrs: Record<string, number | boolean> = {}): T {
  return tf.engine().runKernel(fusedKernelNames[name], inputs as tf.NamedTensorMap, attrs) as T
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with its fused gradient; call when hasFusedKernel('geluTanh'). */
export const fusedGeluTanh = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc]
  save([x])
  return {
    value: run<tf.Tensor>('geluTanh', { x }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run<tf.Tensor>('geluTanhGrad', { dy, x: saved[0]! }),
  }
}) as (x: tf.Tensor) => tf.Tensor

/** Layer norm over the last axis with gradients for x, weight and bias; call when hasFusedKernel('layerNorm'). */
export function fusedLayerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor {
  const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, gamma, beta, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc]
    save([input, gamma])
    return {
      value: run<tf.Tensor>('layerNorm', { x: input, gamma, beta }, { eps }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run<tf.Tensor[]>('layerNormGrad', { dy, x: saved[0]!, gamma: saved[1]! }, { eps }),
    }
  })
  return norm(x, weight, bias)
}

/** log Σ exp over the last axis of [N, V] logits → [N]; call when hasFusedKernel('logSumExpRows'). */
export function fusedLogSumExpRows(x: tf.Tensor2D): tf.Tensor1D {
  return run<tf.Tensor1D>('logSumExpRows', { x })
}

/** (softmax(x) − oneHot(labels))·scale per row, from the forward's log-sum-exp; labels int32 [N] in range. */
export function fusedSoftmaxCrossEntropyGrad(x: tf.Tensor2D, lse: tf.Tensor1D, labels: tf.Tensor1D, scale: tf.Tensor1D): tf.Tensor2D {
  return run<tf.Tensor2D>('softmaxCrossEntropyGrad', { x, lse, labels, scale })
}

/** Adam hyper-parameters of one update, as optimizers/adam.ts computes them (in double). */
export interface AdamStepAttrs {
  keep: number
  weightDecay: number
  beta1: number
  beta2: number
  eps: number
  stepSize: number
  biasCorrection2Sqrt: number
  decoupled: boolean
}

/** [param, exp_avg, exp_avg_sq] after one Adam/AdamW update; call when hasFusedKernel('adamStep'). */
export function fusedAdamStep(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamStepAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run<tf.Tensor[]>('adamStep', { param, grad, m, v }, { ...attrs }) as [tf.Tensor, tf.Tensor, tf.Tensor]
}
