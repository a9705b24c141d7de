/**
 * The native backend's fused kernels (names and ops: models/fused-ops.ts). They take float32 only; the ops
 * call them only then.
 */
import type * as tf from '@tensorflow/tfjs'
import { fusedKernelNames, type AdamStepAttrs } from '../models/fused-ops'
import type { NativeAddon } from './addon'
import { allocFloats } from './buffer-pool'
import { floats, ints, storage, type CpuStorage, type Kernel } from './storage'

function floatsOf(backend: CpuStorage, t: tf.TensorInfo, kernel: string): Float32Array {
  const values = floats(backend, t)
  if (!values) throw new Error(`${kernel}: expected a float32 tensor, got ${t.dtype}`)
  return values
}

/** [rows, cols] of a tensor normalised or reduced over its last axis. */
function rowsOf(t: tf.TensorInfo): [number, number] {
  const cols = t.shape[t.shape.length - 1] ?? 1
  return [cols === 0 ? 0 : t.shape.reduce((a, b) => a * b, 1) / cols, cols]
}

export function fusedKernels(addon: NativeAddon): Record<string, Kernel> {
  return {
    [fusedKernelNames.geluTanh]: (args) => {
      const backend = storage(args)
      const { x } = args.inputs as { x: tf.TensorInfo }
      const values = floatsOf(backend, x, 'geluTanh')
      const out = allocFloats(values.length)
      addon.geluTanh(values, out)
      return backend.makeTensorInfo(x.shape, 'float32', out)
    },
    [fusedKernelNames.geluTanhGrad]: (args) => {
      const backend = storage(args)
      const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo }
      const values = floatsOf(backend, x, 'geluTanhGrad')
      const out = allocFloats(values.length)
      addon.geluTanhGrad(floatsOf(backend, dy, 'geluTanhGrad'), values, out)
      return backend.makeTensorInfo(x.shape, 'float32', out)
    },
    [fusedKernelNames.layerNorm]: (args) => {
      const backend = storage(args)
      const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>
      const [rows, cols] = rowsOf(x)
      const y = allocFloats(rows * cols)
      const f = (t: tf.TensorInfo) => floatsOf(backend, t, 'layerNorm')
      if (rows > 0) addon.layerNorm(f(x), f(gamma), f(beta), y, rows, cols, (args.attrs as { eps: number }).eps)
      return backend.makeTensorInfo(x.shape, 'float32', y)
    },
    [fusedKernelNames.layerNormGrad]: (args) => {
      const backend = storage(args)
      const { dy, x, gamma } = args.inputs as Record<'dy' | 'x' | 'gamma', tf.TensorInfo>
      const [rows, cols] = rowsOf(x)
      const dx = allocFloats(rows * cols)
      const dgamma = new Float32Array(cols)
      const dbeta = new Float32Array(cols)
      const f = (t: tf.TensorInfo) => floatsOf(backend, t, 'layerNormGrad')
      if (rows > 0) addon.layerNormGrad(f(dy), f(x), f(gamma), dx, dgamma, dbeta, rows, cols, (args.attrs as { eps: number }).eps)
      return [backend.makeTensorInfo(x.shape, 'float32', dx), backend.makeTensorInfo([cols], 'float32', dgamma), backend.makeTensorInfo([cols], 'float32', dbeta)]
    },
    [fusedKernelNames.logSumExpRows]: (args) => {
      const backend = storage(args)
      const { x } = args.inputs as { x: tf.TensorInfo }
      const [rows, cols] = rowsOf(x)
      const lse = new Float32Array(rows)
      if (rows > 0) addon.logSumExpRows(floatsOf(backend, x, 'logSumExpRows'), lse, rows, cols)
      return backend.makeTensorInfo([rows], 'float32', lse)
    },
    [fusedKernelNames.softmaxCrossEntropyGrad]: (args) => {
      const backend = storage(args)
      const { x, lse, labels, scale } = args.inputs as Record<'x' | 'lse' | 'labels' | 'scale', tf.TensorInfo>
      const [rows, cols] = rowsOf(x)
      const ids = ints(backend, labels)
      if (!ids) throw new Error(`softmaxCrossEntropyGrad: labels must be int32, got ${labels.dtype}`)
      const dx = allocFloats(rows * cols)
      const f = (t: tf.TensorInfo) => floatsOf(backend, t, 'softmaxCrossEntropyGrad')
      if (rows > 0) addon.softmaxCrossEntropyGrad(f(x), f(lse), f(scale), dx, ids, rows, cols)
      return backend.makeTensorInfo(x.shape, 'float32', dx)
    },
    [fusedKernelNames.adamStep]: (args) => {
      const backend = storage(args)
      const { param, grad, m, v } = args.inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>
      const a = args.attrs as unknown as AdamStepAttrs
      const f = (t: tf.TensorInfo) => floatsOf(backend, t, 'adamStep')
      const values = f(param)
      const [p, mOut, vOut] = [allocFloats(values.length), allocFloats(values.length), allocFloats(values.length)]
      const hyper = Float32Array.of(a.keep, a.weightDecay, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.stepSize, a.biasCorrection2Sqrt)
      addon.adamStep(values, f(grad), f(m), f(v), p, mOut, vOut, hyper, a.decoupled)
      return [p, mOut, vOut].map((out) => backend.makeTensorInfo(param.shape, 'float32', out))
    },
  }
}
