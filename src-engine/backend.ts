/**
 * The tensor backend ladder. TensorFlow.js runs on whichever rung works first:
 *   tensorflow (tfjs-node-gpu, CUDA) → webgpu (Dawn, a real GPU adapter) → wasm (SIMD) → cpu (plain JS).
 * tfjs-node (the native CPU build) shares libtensorflow with tfjs-node-gpu and is tried under the same rung.
 * Each rung's outcome is recorded so the UI can say why the app runs where it runs.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendChoice } from '../src-shared/engine-protocol'
import type { EngineInfo } from '../src-shared/entities'

type Rung = Exclude<BackendChoice, 'auto'>
export type LadderStep = EngineInfo['ladder'][number]

const ladderOrder: readonly Rung[] = ['tensorflow', 'webgpu', 'wasm', 'cpu']

/** Dynamic import of a package that may be absent (optional dependency) without the bundler inlining it. */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier)
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0]?.slice(0, 300) ?? text
}

async function tryTensorflow(): Promise<string> {
  // tfjs-node-gpu registers the 'tensorflow' backend on import, if its native library loads.
  const errors: string[] = []
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg)
      if (await tf.setBackend('tensorflow')) return pkg.endsWith('gpu') ? 'CUDA (libtensorflow GPU)' : 'CPU (libtensorflow)'
    } catch (error) {
      errors.push(`${pkg}: ${firstLine(error)}`)
    }
  }
  throw new Error(errors.join('; '))
}

async function tryWebgpu(): Promise<string> {
  const dawn = (await importOptional('webgpu')) as {
    create: (options: string[]) => { requestAdapter: (o?: object) => Promise<GpuAdapterLike | null> }
    globals: Record<string, unknown>
  }
  Object.assign(globalThis, dawn.globals)
  const gpu = dawn.create([])
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) throw new Error('no WebGPU adapter on this machine')
  const info = adapter.info ?? {}
  // A software rasteriser (lavapipe, llvmpipe, SwiftShader) is slower than WebAssembly: not a GPU.
  const description = `${info.vendor ?? ''} ${info.device ?? info.description ?? ''}`.trim()
  if (adapter.isFallbackAdapter || info.adapterType === 'cpu' || /llvmpipe|lavapipe|swiftshader/i.test(description)) {
    throw new Error(`only a software adapter (${description || 'CPU'}), slower than WebAssembly`)
  }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true })
  await importOptional('@tensorflow/tfjs-backend-webgpu')
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialise')
  return `GPU (WebGPU: ${description || 'adapter'})`
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean
  info?: { vendor?: string; device?: string; description?: string; adapterType?: string }
}

async function tryWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm')
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise')
  await tf.ready()
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')
  return `CPU (WebAssembly${simd ? ', SIMD' : ''}${threads ? ', threads' : ', 1 thread'})`
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise')
  return 'CPU (plain JavaScript, slow)'
}

const attempts: Record<Rung, () => Promise<string>> = {
  tensorflow: tryTensorflow,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: tryCpu,
}

const precisionNotes: Record<Rung, string> = {
  tensorflow: 'float32 compute; 16-bit weights are stored in 16 bits and widened per layer.',
  webgpu: 'float32 compute; 16-bit weights are stored in 16 bits and widened per layer.',
  wasm: 'float32 compute only (WebAssembly has no 16-bit math); 16-bit weights are stored in 16 bits and widened per layer.',
  cpu: 'float32 compute only; 16-bit weights are stored in 16 bits and widened per layer.',
}

export interface ChosenBackend {
  backend: Rung
  device: string
  ladder: LadderStep[]
  precisionNote: string
}

/**
 * Initialise TensorFlow.js on the requested backend, or on the first rung that works for 'auto'.
 * An explicit choice that fails is an error (the user asked for it); 'auto' moves down the ladder.
 */
export async function chooseBackend(choice: BackendChoice): Promise<ChosenBackend> {
  const rungs = choice === 'auto' ? ladderOrder : [choice]
  const ladder: LadderStep[] = []
  for (const rung of rungs) {
    try {
      const device = await attempts[rung]()
      await tf.ready()
      ladder.push({ backend: rung, ok: true, reason: device })
      return { backend: rung, device, ladder, precisionNote: precisionNotes[rung] }
    } catch (error) {
      ladder.push({ backend: rung, ok: false, reason: firstLine(error) })
    }
  }
  const tried = ladder.map((step) => `${step.backend}: ${step.reason}`).join('; ')
  throw new Error(
    choice === 'auto'
      ? `No tensor backend could start (${tried}). Reinstall the app; if it persists, report this message.`
      : `The "${choice}" backend was requested (environment.backend or FINETUNE_STUDIO_BACKEND) but could not start: ${tried}. Choose "auto" to use the best available one.`,
  )
}

export { tf }
