/**
 * The 'native' TensorFlow.js backend: tfjs's own cpu backend (tensors in JS typed arrays, every cpu kernel)
 * with the kernels that dominate training and generation replaced by C++ ones from the addon (kernels.ts).
 * Model code stays backend-neutral; the addon reads and writes the typed arrays in place.
 *
 * Measured with the project's own model, LoRA, loss and optimizer code on the reference bench's shape (GPT-2,
 * 4 layers, d_model 256, vocab 8000, 512 tokens a step; LoRA r8 on c_attn, Adam), 1 thread, 2 cores shared
 * with other jobs, torch and native runs alternating, CPU time per step (median of three runs' medians):
 * LoRA 300-319 ms against PyTorch 1.13 + OpenBLAS on 1 thread at 216-251 ms (0.72-0.79x, two sessions);
 * full fine-tuning 395 ms against 348 ms (0.88x; torch also trains the embeddings there). Before the strided
 * copies and fused kernels the same runs took 2542 and 2802 ms: the cpu backend split GPT-2's q|k|v
 * projection element by element. What remains: the matmuls (~2/3 of a LoRA step, 50-100 GFLOP/s against
 * OpenBLAS's 85-120 on the same shapes), then tfjs's per-op bookkeeping and garbage collection.
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
