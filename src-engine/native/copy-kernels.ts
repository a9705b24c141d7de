/**
 * Native data-movement kernels: Transpose, Slice, SplitV and Concat as one strided copy each (addon.copy).
 * The cpu backend moves non-contiguous slices element by element through a TensorBuffer, which made the
 * split of GPT-2's fused q|k|v projection most of a training step.
 */
import * as tf from '@tensorflow/tfjs'
import type { NativeAddon } from './addon'
import { allocFloats } from './buffer-pool'
import { floats, storage, type CpuStorage, type Kernel } from './storage'

/** Row-major element strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length)
  let step = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step
    step *= shape[d]!
  }
  return strides
}

function transpose(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const { perm } = args.attrs as { perm: number[] }
    const backend = storage(args)
    const values = floats(backend, x)
    if (!values || x.shape.length === 0) return fallback(args)
    const shape = perm.map((d) => x.shape[d]!)
    const inStrides = stridesOf(x.shape)
    const out = allocFloats(values.length)
    addon.copy(values, 0, Int32Array.from(perm, (d) => inStrides[d]!), out, 0, Int32Array.from(stridesOf(shape)), Int32Array.from(shape))
    return backend.makeTensorInfo(shape, 'float32', out)
  }
}

/** x[begin : begin + size] copied out; null when the cpu kernel should run (other dtypes, contiguous views). */
function sliceOf(addon: NativeAddon, backend: CpuStorage, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo | null {
  const values = floats(backend, x)
  // A contiguous slice is a zero-copy view in the cpu kernel: nothing to gain here.
  if (!values || x.shape.length === 0 || tf.slice_util.isSliceContinous(x.shape, begin, size)) return null
  const strides = stridesOf(x.shape)
  const offset = begin.reduce((sum, b, d) => sum + b * strides[d]!, 0)
  const out = allocFloats(tf.util.sizeFromShape(size))
  if (out.length > 0) addon.copy(values, offset, Int32Array.from(strides), out, 0, Int32Array.from(stridesOf(size)), Int32Array.from(size))
  return backend.makeTensorInfo(size, 'float32', out)
}

function slice(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const attrs = args.attrs as { begin: number | number[]; size: number | number[] }
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size) as [number[], number[]]
    tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size)
    return sliceOf(addon, storage(args), x, begin, size) ?? fallback(args)
  }
}

function splitV(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number }
    const backend = storage(args)
    if (!floats(backend, x)) return fallback(args)
    const along = tf.util.parseAxisParam(axis, x.shape)[0]!
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along)
    const begin = x.shape.map(() => 0)
    const size = [...x.shape]
    return sizes.map((n) => {
      size[along] = n
      const piece = sliceOf(addon, backend, x, begin, size) ?? (tf.getKernel('Slice', 'cpu')!.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { begin: [...begin], size: [...size] } }) as tf.TensorInfo)
      begin[along]! += n
      return piece
    })
  }
}

function concat(addon: NativeAddon, fallback: Kernel): Kernel {
  return (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[]
    const { axis } = args.attrs as { axis: number }
    const backend = storage(args)
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0)
    const arrays = parts.map((t) => floats(backend, t))
    if (parts.length < 2 || arrays.some((a) => !a)) return fallback(args)
    const along = tf.util.parseAxisParam(axis, parts[0]!.shape)[0]!
    tf.backend_util.assertParamsConsistent(parts.map((t) => t.shape), along)
    const shape = tf.backend_util.computeOutShape(parts.map((t) => t.shape), along)
    const out = allocFloats(tf.util.sizeFromShape(shape))
    const outStrides = Int32Array.from(stridesOf(shape))
    let offset = 0
    parts.forEach((t, i) => {
      addon.copy(arrays[i]!, 0, Int32Array.from(stridesOf(t.shape)), out, offset * outStrides[along]!, outStrides, Int32Array.from(t.shape))
      offset += t.shape[along]!
    })
    return backend.makeTensorInfo(shape, 'float32', out)
  }
}

/** The native copy kernels by name, each wrapping the cpu kernel it falls back to. */
export function copyKernels(addon: NativeAddon, cpuKernel: (name: string) => Kernel): Record<string, Kernel> {
  return {
    Transpose: transpose(addon, cpuKernel('Transpose')),
    Slice: slice(addon, cpuKernel('Slice')),
    SplitV: splitV(addon, cpuKernel('SplitV')),
    Concat: concat(addon, cpuKernel('Concat')),
  }
}
