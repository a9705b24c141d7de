/**
 * TensorFlow.js kernels that run in the native addon, for a backend that stores tensors as cpu-backend typed
 * arrays. Each one falls back to the cpu kernel it replaces for what it does not cover (other dtypes, a
 * softmax over a non-last axis), so results never depend on which kernels are native.
 */
import * as tf from '@tensorflow/tfjs'
import type { NativeAddon } from './addon'
import { allocFloats } from './buffer-pool'
import { copyKernels } from './copy-kernels'
import { elementwiseKernels } from './elementwise-kernels'
import { floats, ints, storage, type CpuStorage, type Kernel } from './storage'

interface MatMulAttrs {
  transposeA: boolean
  transposeB: boolean
}

/** The product of two float32 tensors, or null when the shapes need the cpu kernel's general path. */
function nativeMatMul(addon: NativeAddon, backend: CpuStorage, a: tf.TensorInfo, b: tf.TensorInfo, { transposeA, transposeB }: MatMulAttrs): tf.TensorInfo | null {
  const av = floats(backend, a)
  const bv = floats(backend, b)
  if (!av || !bv) return null
  const ra = a.shape.length
  const rb = b.shape.length
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!
  if (k !== kb) return null // the cpu kernel words the error
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2))
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2))
  const batch = tf.util.sizeFromShape(outer)
  // Batches that broadcast on both sides ([2,1] with [1,3]) are not a plain "one side repeats" product.
  if (!(batchA === batch || batchA === 1) || !(batchB === batch || batchB === 1)) return null
  const out = allocFloats(batch * m * n)
  addon.matmul(av, bv, out, batchA, batchB, batch, m, n, k, transposeA, transposeB)
  return backend.makeTensorInfo([...outer, m, n], 'float32', out)
}

function batchMatMul(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    return nativeMatMul(addon, storage(args), a, b, args.attrs as unknown as MatMulAttrs) ?? fallback(args)
  }
}

/** Kernel names of tf.fused.matMul's activations; each takes { x } and the attributes noted. */
const activationKernels: Record<string, string> = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu',
}

function fusedMatMul(addon: NativeAddon, fallback: Kernel, backendName: string): Kernel {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>
    const attrs = args.attrs as unknown as MatMulAttrs & { activation?: string; leakyreluAlpha?: number }
    const backend = storage(args)
    const product = nativeMatMul(addon, backend, a!, b!, attrs)
    if (!product) return fallback(args)
    const run = (name: string, inputs: Record<string, tf.TensorInfo>, kernelAttrs: object = {}) => {
      const kernel = tf.getKernel(name, backendName)!
      return kernel.kernelFunc({ inputs, backend: args.backend, attrs: kernelAttrs as tf.NamedAttrMap }) as tf.TensorInfo
    }
    const dispose = (t: tf.TensorInfo) => backend.disposeIntermediateTensorInfo(t)
    let out = product
    if (bias) {
      const sum = run('Add', { a: out, b: bias })
      dispose(out)
      out = sum
    }
    const activation = attrs.activation ?? 'linear'
    if (activation !== 'linear') {
      const name = activationKernels[activation]
      if (!name) throw new Error(`fused matMul: unknown activation "${activation}"`)
      const inputs: Record<string, tf.TensorInfo> = activation === 'prelu' ? { x: out, alpha: preluActivationWeights! } : { x: out }
      const activated = run(name, inputs, activation === 'leakyrelu' ? { alpha: attrs.leakyreluAlpha } : {})
      dispose(out)
      out = activated
    }
    return out
  }
}

function softmax(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo }
    const { dim } = args.attrs as { dim: number }
    const backend = storage(args)
    const values = floats(backend, logits)
    const rank = logits.shape.length
    if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args)
    const cols = logits.shape[rank - 1]!
    const out = allocFloats(values.length)
    if (cols > 0) addon.softmax(values, out, values.length / cols, cols)
    return backend.makeTensorInfo(logits.shape, 'float32', out)
  }
}

function unsortedSegmentSum(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
    const { numSegments } = args.attrs as { numSegments: number }
    const backend = storage(args)
    const values = floats(backend, x)
    const ids = ints(backend, segmentIds)
    if (!values || !ids) return fallback(args)
    const innerShape = x.shape.slice(segmentIds.shape.length)
    const inner = tf.util.sizeFromShape(innerShape)
    const out = allocFloats(numSegments * inner)
    addon.segmentSum(values, ids, out, inner, numSegments)
    return backend.makeTensorInfo([numSegments, ...innerShape], 'float32', out)
  }
}

/**
 * Rows of x picked by index (embedding lookups, KV-cache reordering): x viewed as [outer, dim, inner], each
 * pick a typed-array copy of one inner row. The cpu kernel computes a location per element instead.
 */
function gather(fallback: Kernel): Kernel {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo }
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number }
    const backend = storage(args)
    const values = floats(backend, x)
    const picks = ints(backend, indices)
    if (!values || !picks || batchDims !== 0) return fallback(args)
    const [along] = tf.util.parseAxisParam(axis, x.shape)
    const dim = x.shape[along!]!
    const outer = tf.util.sizeFromShape(x.shape.slice(0, along))
    const inner = tf.util.sizeFromShape(x.shape.slice(along! + 1))
    const out = allocFloats(outer * picks.length * inner)
    for (let i = 0; i < picks.length; i++) {
      const index = picks[i]!
      if (index < 0 || index >= dim) throw new Error(`GatherV2: the index value ${index} is not in [0, ${dim - 1}]`)
    }
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < picks.length; i++) {
        const from = (o * dim + picks[i]!) * inner
        out.set(values.subarray(from, from + inner), (o * picks.length + i) * inner)
      }
    }
    return backend.makeTensorInfo([...x.shape.slice(0, along), ...indices.shape, ...x.shape.slice(along! + 1)], 'float32', out)
  }
}

/** The native kernels by name, each wrapping the cpu kernel it falls back to. */
export function nativeKernels(addon: NativeAddon, cpuKernel: (name: string) => Kernel, backendName: string): Record<string, Kernel> {
  return {
    ...elementwiseKernels(addon, cpuKernel),
    ...copyKernels(addon, cpuKernel),
    BatchMatMul: batchMatMul(addon, cpuKernel('BatchMatMul')),
    _FusedMatMul: fusedMatMul(addon, cpuKernel('_FusedMatMul'), backendName),
    GatherV2: gather(cpuKernel('GatherV2')),
    Softmax: softmax(addon, cpuKernel('Softmax')),
    UnsortedSegmentSum: unsortedSegmentSum(addon, cpuKernel('UnsortedSegmentSum')),
  }
}
