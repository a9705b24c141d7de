/** How native kernels reach tensor data: tfjs's MathBackendCPU keeps every tensor as a plain typed array. */
import type * as tf from '@tensorflow/tfjs'

/** The parts of MathBackendCPU the kernels use. */
export interface CpuStorage {
  data: { get(dataId: object): { values?: unknown } }
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array): tf.TensorInfo
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void
}

export type KernelArgs = Parameters<tf.KernelFunc>[0]
export type Kernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]

export function storage(args: KernelArgs): CpuStorage {
  return args.backend as unknown as CpuStorage
}

/** The float32 values in place (no copy), or null for any other dtype: the caller then uses the cpu kernel. */
export function floats(backend: CpuStorage, t: tf.TensorInfo): Float32Array | null {
  const values = backend.data.get(t.dataId).values
  return t.dtype === 'float32' && values instanceof Float32Array ? values : null
}

export function ints(backend: CpuStorage, t: tf.TensorInfo): Int32Array | null {
  const values = backend.data.get(t.dataId).values
  return t.dtype === 'int32' && values instanceof Int32Array ? values : null
}
