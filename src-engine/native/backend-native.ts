/**
 * The 'native' TensorFlow.js backend: tfjs's own cpu backend (tensors in JS typed arrays, every cpu kernel)
 * with the kernels that dominate training and generation replaced by C++ ones from the addon (kernels.ts).
 * Model code stays backend-neutral; the addon reads and writes the typed arrays in place.
 *
 * Measured on the reference bench (tiny GPT, 5.3M parameters, 512 tokens a step), 2 cores under a load
 * average of ~11 from other jobs, alternating runs, CPU time per step (median): LoRA native 666 ms, PyTorch
 * 1.13 with OpenBLAS on 1 thread 249 ms (0.37x), wasm with its shims 2409 ms; full fine-tuning native 1004 ms,
 * PyTorch 377 ms, wasm 3399 ms. What remains beyond the matmuls: tfjs's per-op bookkeeping, garbage
 * collection, and ops tfjs core runs in JavaScript (e.g. the ones() that Sum's gradient builds).
 */
import * as tf from '@tensorflow/tfjs'
import { loadNativeAddon, type NativeAddon } from './addon'
import { poolBackendStorage } from './buffer-pool'
import { fusedKernels } from './fused-kernels'
import { nativeKernels } from './kernels'

export const nativeBackendName = 'native'

/**
 * Register the backend (once) and return the addon, or throw why it cannot run. Call before tf.setBackend.
 */
export function registerNativeBackend(): NativeAddon {
  const loaded = loadNativeAddon()
  if ('error' in loaded) throw new Error(loaded.error)
  if (tf.findBackendFactory(nativeBackendName)) return loaded.addon
  const cpuFactory = tf.findBackendFactory('cpu')
  if (!cpuFactory) throw new Error('the TensorFlow.js cpu backend is not registered')
  tf.registerBackend(
    nativeBackendName,
    () => {
      const backend = cpuFactory() as unknown as Parameters<typeof poolBackendStorage>[0]
      poolBackendStorage(backend)
      return backend as unknown as tf.KernelBackend
    },
    0,
  )
  const cpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]))
  const cpuKernel = (name: string) => {
    const kernel = cpuKernels.get(name)
    if (!kernel) throw new Error(`the cpu backend has no ${name} kernel`)
    return kernel.kernelFunc as (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[]
  }
  const replaced = nativeKernels(loaded.addon, cpuKernel, nativeBackendName)
  for (const kernel of cpuKernels.values()) {
    tf.registerKernel({ ...kernel, backendName: nativeBackendName, kernelFunc: (replaced[kernel.kernelName] ?? kernel.kernelFunc) as tf.KernelFunc })
  }
  for (const [kernelName, kernelFunc] of Object.entries(fusedKernels(loaded.addon))) {
    tf.registerKernel({ kernelName, backendName: nativeBackendName, kernelFunc: kernelFunc as tf.KernelFunc })
  }
  return loaded.addon
}

/** What the ladder shows for the backend once it runs. */
export function describeNativeBackend(addon: NativeAddon): string {
  const { threads, simd, isa } = addon.info()
  return `CPU (native kernels, ${simd ? isa : 'scalar'}, ${threads} thread${threads === 1 ? '' : 's'})`
}
