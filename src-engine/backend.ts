/**
 * The tensor backend ladder. TensorFlow.js runs on whichever rung works first:
 *   tensorflow (tfjs-node-gpu, CUDA) → webgpu (Dawn, a real GPU adapter) → native (our C++ kernels, built at
 *   install: src-engine/native/) → wasm (SIMD) → cpu (plain JS).
 * tfjs-node (the native CPU build) shares libtensorflow with tfjs-node-gpu and is tried under the same rung.
 * Each rung's outcome is recorded so the UI can say why the app runs where it runs.
 * FINETUNE_STUDIO_BACKEND (or environment.backend) picks one rung; wasm gets the kernels it lacks
 * (backend-wasm-kernels.ts). Measured here, 2 shared cores: the transpose-first BatchMatMul takes a
 * [512,768]ᵀ·[512,768] product from 990 to 110 ms and [512,768]·[768,768]ᵀ from 695 to 99 ms.
 */
import { performance } from 'node:perf_hooks'
import * as tf from '@tensorflow/tfjs'
import { BACKEND_ENV, backendChoices, WEBGPU_SOFTWARE_ENV, type BackendChoice } from '../src-shared/engine-protocol'
import type { EngineInfo } from '../src-shared/entities'
import { importOptional } from './import-optional'

type Rung = Exclude<BackendChoice, 'auto'>
export type LadderStep = EngineInfo['ladder'][number]

const ladderOrder: readonly Rung[] = ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu']

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
  const { startWebgpu } = await import('./webgpu/start-webgpu')
  // A software adapter is slower than the native CPU backend: taken only when asked for (tests, bench).
  return startWebgpu({ allowSoftware: process.env[WEBGPU_SOFTWARE_ENV] === '1' })
}

async function tryNative(): Promise<string> {
  const { registerNativeBackend, describeNativeBackend, nativeBackendName } = await import('./native/backend-native')
  const addon = registerNativeBackend()
  if (!(await tf.setBackend(nativeBackendName))) throw new Error('the native backend did not initialise')
  return describeNativeBackend(addon)
}

async function tryWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm')
  // Before the backend starts: kernels it lacks (UnsortedSegmentSum) and a transpose-first BatchMatMul.
  const { installWasmKernels } = await import('./backend-wasm-kernels')
  installWasmKernels()
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
  native: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
}

const precisionNotes: Record<Rung, string> = {
  tensorflow: 'float32 compute; float16/bfloat16 checkpoints are widened to float32 when loaded (TensorFlow.js has no 16-bit dtype).',
  webgpu: 'float32 compute; float16/bfloat16 checkpoints are widened to float32 when loaded (TensorFlow.js has no 16-bit dtype).',
  native: 'float32 compute only (the native kernels have no 16-bit math); float16/bfloat16 checkpoints are widened to float32 when loaded.',
  wasm: 'float32 compute only (WebAssembly has no 16-bit math); float16/bfloat16 checkpoints are widened to float32 when loaded.',
  cpu: 'float32 compute only; float16/bfloat16 checkpoints are widened to float32 when loaded.',
}

export interface ChosenBackend {
  backend: Rung
  device: string
  ladder: LadderStep[]
  precisionNote: string
}

/**
 * The backend to use: FINETUNE_STUDIO_BACKEND when set (it overrides environment.backend for every engine),
 * else the requested one. An unknown value is an error that lists the valid ones.
 */
export function resolveBackendChoice(requested: BackendChoice, env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const fromEnv = env[BACKEND_ENV]?.trim()
  if (!fromEnv) return requested
  if ((backendChoices as readonly string[]).includes(fromEnv)) return fromEnv as BackendChoice
  throw new Error(`${BACKEND_ENV}="${fromEnv}" is not a backend. Use one of: ${backendChoices.join(', ')}.`)
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

/**
 * Start a child's tensor backend (FINETUNE_STUDIO_BACKEND overrides the request) and describe it as the
 * host shows it: the engine chip, the experiment's backend and device.
 */
export async function startBackend(requested: BackendChoice, processStartedAt: number): Promise<EngineInfo> {
  const chosen = await chooseBackend(resolveBackendChoice(requested))
  return {
    backend: chosen.backend,
    device: chosen.device,
    tfjsVersion: tf.version.tfjs,
    ladder: chosen.ladder,
    precisionNote: chosen.precisionNote,
    pid: process.pid,
    startedInMs: Math.round(performance.now() - processStartedAt),
  }
}

/** A child's answer to `hello`, the same in both protocols: ready with its backend, or why it failed. */
export async function answerHello(requested: BackendChoice, processStartedAt: number): Promise<{ type: 'ready'; info: EngineInfo } | { type: 'failed'; message: string }> {
  try {
    return { type: 'ready', info: await startBackend(requested, processStartedAt) }
  } catch (error) {
    return { type: 'failed', message: error instanceof Error ? error.message : String(error) }
  }
}

export { tf }
