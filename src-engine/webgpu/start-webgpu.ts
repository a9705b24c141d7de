/**
 * Start TensorFlow.js's webgpu backend on Dawn (the optional `webgpu` package), with the project's fused
 * kernels (fused-kernels.ts) registered for it. The ladder (backend.ts) asks for a real GPU and refuses
 * software adapters, which are slower than our native CPU kernels. The bench and the WebGPU check may accept
 * one, so that a machine without a GPU still runs the WGSL kernels: there Dawn is asked for its OpenGL ES
 * backend (Mesa's llvmpipe through EGL) at the 'compatibility' feature level that GLES needs, unless
 * WEBGPU_DAWN names other Dawn options (e.g. "backend=vulkan" for lavapipe).
 */
import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { importOptional } from '../import-optional'
import { registerWebgpuFusedKernels } from './fused-kernels'

export interface WebgpuStartOptions {
  /** Accept a software adapter (llvmpipe, lavapipe, SwiftShader): bench and checks only. */
  allowSoftware: boolean
}

interface AdapterLike {
  isFallbackAdapter?: boolean
  info?: { vendor?: string; device?: string; description?: string; adapterType?: string }
}
interface GpuLike {
  requestAdapter: (options?: Record<string, unknown>) => Promise<AdapterLike | null>
}
interface DawnModule {
  create: (options: string[]) => GpuLike
  globals: Record<string, unknown>
}

function isSoftware(adapter: AdapterLike, description: string): boolean {
  return adapter.isFallbackAdapter === true || adapter.info?.adapterType === 'cpu' || /llvmpipe|lavapipe|swiftshader/i.test(description)
}

function describe(adapter: AdapterLike): string {
  const info = adapter.info ?? {}
  return `${info.vendor ?? ''} ${info.device ?? info.description ?? ''}`.trim() || 'adapter'
}

/** Dawn with the given options; GLES needs the 'compatibility' feature level, asked for on every request. */
function createGpu(dawn: DawnModule, options: string[]): GpuLike {
  const gpu = dawn.create(options)
  if (!options.some((o) => /backend=opengles/i.test(o))) return gpu
  process.env.EGL_PLATFORM ??= 'surfaceless'
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir()
  const request = gpu.requestAdapter.bind(gpu)
  gpu.requestAdapter = (o = {}) => request({ ...o, featureLevel: 'compatibility' })
  return gpu
}

async function requestAdapter(dawn: DawnModule, allowSoftware: boolean): Promise<{ adapter: AdapterLike; gpu: GpuLike } | null> {
  const named = process.env.WEBGPU_DAWN?.split(',').filter(Boolean)
  const gpu = createGpu(dawn, named ?? [])
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (named || (adapter && !isSoftware(adapter, describe(adapter))) || !allowSoftware) return adapter ? { adapter, gpu } : null
  // No GPU adapter: Mesa's llvmpipe through Dawn's OpenGL ES backend, when a software adapter is welcome.
  const gles = createGpu(dawn, ['backend=opengles'])
  const fallback = await gles.requestAdapter()
  return fallback ? { adapter: fallback, gpu: gles } : adapter ? { adapter, gpu } : null
}

/**
 * Make 'webgpu' the TensorFlow.js backend, or throw why it cannot be. Returns the device as the ladder shows
 * it, e.g. "GPU (WebGPU: nvidia …)" or "software WebGPU (llvmpipe …)".
 */
export async function startWebgpu(options: WebgpuStartOptions): Promise<string> {
  const dawn = (await importOptional('webgpu')) as DawnModule
  Object.assign(globalThis, dawn.globals)
  const found = await requestAdapter(dawn, options.allowSoftware)
  if (!found) throw new Error('no WebGPU adapter on this machine')
  const description = describe(found.adapter)
  const software = isSoftware(found.adapter, description)
  if (software && !options.allowSoftware) throw new Error(`only a software adapter (${description}), slower than the native CPU backend`)
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: found.gpu, userAgent: 'node' }, configurable: true, writable: true })
  await importOptional('@tensorflow/tfjs-backend-webgpu')
  registerWebgpuFusedKernels()
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialise on ${description}`)
  return software ? `software WebGPU (${description}; no GPU)` : `GPU (WebGPU: ${description})`
}
