/**
 * What the WebAssembly backend of TensorFlow.js 4.22 lacks or does slowly, patched at start:
 * - UnsortedSegmentSum has no wasm kernel: the gradient of tf.gather (every embedding lookup) needs it.
 *   Ours is one pass over the rows, O(N·inner), reading and writing the wasm heap directly.
 * - BatchMatMul with transposeA/transposeB runs 10-15x slower than without (PLATFORM-NOTES): the wrapper
 *   transposes the operand first (one Transpose kernel call) and multiplies untransposed. Matmul gradients
 *   always ask for a transposed operand, so training benefits even when model code transposes first.
 */
import * as tf from '@tensorflow/tfjs'

interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
  disposeData(dataId: object): boolean
}

type KernelArgs = Parameters<tf.KernelFunc>[0]

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as unknown as WasmBackendLike
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
  const numSegments = (attrs as { numSegments: number }).numSegments
  const values = wasm.readSync(x.dataId) // a copy: safe across heap growth
  const ids = wasm.readSync(segmentIds.dataId)
  const inner = ids.length === 0 ? 0 : values.length / ids.length
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype)
  const sums = wasm.typedArrayFromHeap(out)
  sums.fill(0)
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!
    if (segment < 0 || segment >= numSegments) continue // as TensorFlow: out-of-range ids are dropped
    const from = i * inner
    const to = segment * inner
    for (let j = 0; j < inner; j++) sums[to + j] = sums[to + j]! + values[from + j]!
  }
  return out
}

let installed = false

export function installWasmKernels(): void {
  if (installed) return
  installed = true
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc })
  }
  const matmul = tf.getKernel('BatchMatMul', 'wasm')
  const transpose = tf.getKernel('Transpose', 'wasm')
  if (!matmul || !transpose) return
  const original = matmul.kernelFunc
  tf.unregisterKernel('BatchMatMul', 'wasm')
  tf.registerKernel({
    ...matmul,
    kernelFunc: (args: KernelArgs) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
      if (!transposeA && !transposeB) return original(args)
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
      const swapLast = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i)
        ;[perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!]
        return transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo
      }
      const a2 = transposeA ? swapLast(a) : a
      const b2 = transposeB ? swapLast(b) : b
      const out = original({ ...args, inputs: { a: a2, b: b2 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } })
      const wasm = args.backend as unknown as WasmBackendLike
      if (a2 !== a) wasm.disposeData(a2.dataId)
      if (b2 !== b) wasm.disposeData(b2.dataId)
      return out
    },
  })
}
