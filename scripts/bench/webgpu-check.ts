/**
 * WebGPU correctness (issue #9, item 3): a tiny GPT-2 and a tiny Llama trained (LoRA and full) and generated on
 * the webgpu backend and on the cpu backend from the same weights; prints one JSON line with both runs.
 *   tsx scripts/bench/webgpu-check.ts [workdir]
 * The ladder (src-engine/backend.ts) refuses software adapters, which are slower than WebAssembly; this
 * check takes any adapter Dawn offers, so that a machine without a GPU can still check the WebGPU kernels
 * on Mesa's llvmpipe through Dawn's OpenGL ES backend (WEBGPU_DAWN, default "backend=opengles", and the
 * 'compatibility' feature level that GLES needs). Answers {"skip": why} when Dawn offers no adapter.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { benchInputs, gpt2Case, llamaCase, writeCaseModel, type BenchCase } from './cases'
import { runMode, type BenchMode } from './engine-modes'

interface GpuLike {
  requestAdapter: (o?: Record<string, unknown>) => Promise<{ info?: { device?: string; description?: string } } | null>
}

/** navigator.gpu from the `webgpu` package (Dawn), asking for the compatibility feature level; null: no adapter. */
async function setupDawn(): Promise<{ adapter: string } | { skip: string }> {
  let dawn: { create: (options: string[]) => GpuLike; globals: Record<string, unknown> }
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn
  } catch (error) {
    return { skip: `the optional package webgpu (Dawn) does not load: ${String(error).split('\n')[0]}` }
  }
  process.env.EGL_PLATFORM ??= 'surfaceless'
  process.env.XDG_RUNTIME_DIR ??= os.tmpdir()
  Object.assign(globalThis, dawn.globals)
  const gpu = dawn.create((process.env.WEBGPU_DAWN ?? 'backend=opengles').split(',').filter(Boolean))
  const request = gpu.requestAdapter.bind(gpu)
  gpu.requestAdapter = (o = {}) => request({ ...o, featureLevel: 'compatibility' })
  const adapter = await gpu.requestAdapter()
  if (!adapter) return { skip: 'Dawn offers no WebGPU adapter on this machine (no Vulkan driver, and no OpenGL ES through EGL)' }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true })
  await import('@tensorflow/tfjs-backend-webgpu')
  return { adapter: `${adapter.info?.device ?? ''} ${adapter.info?.description ?? ''}`.trim() }
}

const shape = { batch: 2, time: 32, newTokens: 24 }
export const checkCases: BenchCase[] = [
  gpt2Case('check-gpt2', { vocab: 96, positions: 64, embd: 32, layers: 2, heads: 4 }),
  llamaCase('check-llama', { vocab: 96, hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48 }),
]

interface BackendRun {
  losses: Record<string, number[]>
  generated: Record<string, number[]>
}

async function runAll(root: string): Promise<BackendRun> {
  const out: BackendRun = { losses: {}, generated: {} }
  for (const c of checkCases) {
    const modelDir = writeCaseModel(c, root, 5, 0.3)
    const inputs = benchInputs(c, 8, shape)
    for (const mode of ['lora', 'full', 'generate'] as BenchMode[]) {
      const r = await runMode({ mode, modelDir, loraTargets: c.loraTargets, ids: inputs.ids, ...shape, prompt: [...inputs.prompt], warmup: 1, steps: 2, dumpLoraTo: null })
      if (mode === 'generate') out.generated[c.name] = r.generated
      else out.losses[`${c.name} ${mode}`] = r.losses
    }
  }
  return out
}

async function main(): Promise<unknown> {
  const dawn = await setupDawn()
  if ('skip' in dawn) return dawn
  const root = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'fs-webgpu-check-'))
  try {
    await tf.setBackend('cpu')
    const cpu = await runAll(root)
    if (!(await tf.setBackend('webgpu'))) return { skip: `the tfjs webgpu backend did not start on ${dawn.adapter}` }
    const webgpu = await runAll(root)
    return { adapter: dawn.adapter, cpu, webgpu }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const answer = await main().catch((error: unknown) => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
process.stdout.write(`${JSON.stringify(answer)}\n`)
process.exit(0) // Dawn keeps the event loop alive
