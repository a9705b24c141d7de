/**
 * The fused kernels (models/fused-ops.ts) for the webgpu backend, as WGSL programs (programs.ts). Registered
 * when the backend starts (start-webgpu.ts); the model code then takes the fused path on WebGPU as it does on
 * the native CPU backend. They take float32 only, as the ops call them.
 */
import * as tf from '@tensorflow/tfjs'
import { fusedKernelNames, type AdamStepAttrs } from '../models/fused-ops'
import {
  adamStepProgram, columnSumProgram, COLUMN_CHUNK_ROWS, geluTanhGradProgram, geluTanhProgram, layerNormGradColumnsProgram, layerNormGradXProgram, layerNormProgram,
  layerNormStatsProgram, logSumExpRowsProgram, softmaxCrossEntropyGradProgram, type AdamOutput, type GpuProgram,
} from './programs'

type Uniform = { type: 'float32' | 'int32'; data: number[] }

/** The part of tfjs-backend-webgpu's WebGPUBackend the kernels use. */
interface WebgpuBackendLike {
  runWebGPUProgram(program: GpuProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: Uniform[]): tf.TensorInfo
  disposeData(dataId: tf.DataId): void
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }
type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]

const webgpuBackendName = 'webgpu'

/** [rows, cols] of a tensor normalised or reduced over its last axis. */
function rowsOf(t: tf.TensorInfo): [number, number] {
  const cols = t.shape[t.shape.length - 1] ?? 1
  return [cols === 0 ? 0 : t.shape.reduce((a, b) => a * b, 1) / cols, cols]
}

const int = (value: number): Uniform => ({ type: 'int32', data: [value] })
const float = (value: number): Uniform => ({ type: 'float32', data: [value] })

function eps(args: KernelArgs): number {
  return (args.attrs as { eps: number }).eps
}

const kernels: Record<string, Kernel> = {
  [fusedKernelNames.geluTanh]: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo }
    return (backend as WebgpuBackendLike).runWebGPUProgram(geluTanhProgram(x.shape), [x], 'float32')
  },
  [fusedKernelNames.geluTanhGrad]: ({ inputs, backend }) => {
    const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>
    return (backend as WebgpuBackendLike).runWebGPUProgram(geluTanhGradProgram(x.shape), [dy, x], 'float32')
  },
  [fusedKernelNames.layerNorm]: (args) => {
    const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>
    const [rows, cols] = rowsOf(x)
    return (args.backend as WebgpuBackendLike).runWebGPUProgram(layerNormProgram(x.shape, rows, cols), [x, gamma, beta], 'float32', [int(rows), int(cols), float(eps(args))])
  },
  [fusedKernelNames.layerNormGrad]: (args) => {
    const backend = args.backend as WebgpuBackendLike
    const { dy, x, gamma } = args.inputs as Record<'dy' | 'x' | 'gamma', tf.TensorInfo>
    const [rows, cols] = rowsOf(x)
    const shape = [int(rows), int(cols)]
    const stats = backend.runWebGPUProgram(layerNormStatsProgram(rows, cols), [x], 'float32', [...shape, float(eps(args))])
    const dx = backend.runWebGPUProgram(layerNormGradXProgram(x.shape, rows, cols), [dy, x, gamma, stats], 'float32', shape)
    // Column sums in two passes: chunks of rows, then the chunks (one invocation per column would leave a GPU idle).
    const chunks = Math.ceil(rows / COLUMN_CHUNK_ROWS)
    const columnSum = (partial: tf.TensorInfo) => {
      const total = backend.runWebGPUProgram(columnSumProgram(chunks, cols), [partial], 'float32', [int(chunks), int(cols)])
      backend.disposeData(partial.dataId)
      return total
    }
    const dgamma = columnSum(backend.runWebGPUProgram(layerNormGradColumnsProgram(rows, cols, true), [dy, x, stats], 'float32', shape))
    const dbeta = columnSum(backend.runWebGPUProgram(layerNormGradColumnsProgram(rows, cols, false), [dy], 'float32', shape))
    backend.disposeData(stats.dataId)
    return [dx, dgamma, dbeta]
  },
  [fusedKernelNames.logSumExpRows]: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo }
    const [rows, cols] = rowsOf(x)
    return (backend as WebgpuBackendLike).runWebGPUProgram(logSumExpRowsProgram(rows, cols), [x], 'float32', [int(rows), int(cols)])
  },
  [fusedKernelNames.softmaxCrossEntropyGrad]: ({ inputs, backend }) => {
    const { x, lse, labels, scale } = inputs as Record<'x' | 'lse' | 'labels' | 'scale', tf.TensorInfo>
    if (labels.dtype !== 'int32') throw new Error(`softmaxCrossEntropyGrad: labels must be int32, got ${labels.dtype}`)
    const [rows, cols] = rowsOf(x)
    return (backend as WebgpuBackendLike).runWebGPUProgram(softmaxCrossEntropyGradProgram(rows, cols), [x, lse, labels, scale], 'float32', [int(cols)])
  },
  [fusedKernelNames.adamStep]: (args) => {
    const backend = args.backend as WebgpuBackendLike
    const { param, grad, m, v } = args.inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>
    const a = args.attrs as unknown as AdamStepAttrs
    const hyper = [a.keep, a.weightDecay, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.stepSize, a.biasCorrection2Sqrt].map(float)
    const run = (output: AdamOutput) => backend.runWebGPUProgram(adamStepProgram(param.shape, output, a.decoupled), [param, grad, m, v], 'float32', hyper)
    return [run('param'), run('m'), run('v')]
  },
}

/**
 * AddN over at most this many inputs a dispatch. tfjs-webgpu 4.22 binds every input of AddN as a storage buffer
 * in one program and does not split past the device's limit: on Dawn's GLES backend (8 storage buffers) eight
 * scalars summed to the first five, silently, and the global gradient norm of a LoRA run came out 13x off.
 */
const ADD_N_INPUTS = 4

function chunkedAddN(original: Kernel): Kernel {
  // AddN's inputs are an array (the engine passes them so), not named ones.
  const addN = (args: KernelArgs, inputs: tf.TensorInfo[]) => original({ ...args, inputs: inputs as unknown as Record<string, tf.TensorInfo> }) as tf.TensorInfo
  return (args) => {
    const backend = args.backend as WebgpuBackendLike
    const given = new Set(Object.values(args.inputs))
    let level = Object.values(args.inputs)
    while (level.length > ADD_N_INPUTS) {
      const next: tf.TensorInfo[] = []
      for (let i = 0; i < level.length; i += ADD_N_INPUTS) {
        const group = level.slice(i, i + ADD_N_INPUTS)
        next.push(group.length === 1 ? group[0]! : addN(args, group))
      }
      for (const t of level) if (!given.has(t) && !next.includes(t)) backend.disposeData(t.dataId)
      level = next
    }
    const result = addN(args, level)
    for (const t of level) if (!given.has(t)) backend.disposeData(t.dataId)
    return result
  }
}

let registered = false

/** Register the fused kernels for 'webgpu' (once), and AddN in chunks. */
export function registerWebgpuFusedKernels(): void {
  if (registered) return
  registered = true
  const addN = tf.getKernel('AddN', webgpuBackendName)
  if (addN) {
    tf.unregisterKernel('AddN', webgpuBackendName)
    tf.registerKernel({ ...addN, kernelFunc: chunkedAddN(addN.kernelFunc as unknown as Kernel) as unknown as tf.KernelFunc })
  }
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    tf.registerKernel({ kernelName, backendName: webgpuBackendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc })
  }
}

/** Unregister them: the composed ops run instead (the bench's "without fused kernels" measurement). */
export function unregisterWebgpuFusedKernels(): void {
  if (!registered) return
  registered = false
  for (const kernelName of Object.keys(kernels)) tf.unregisterKernel(kernelName, webgpuBackendName)
}
