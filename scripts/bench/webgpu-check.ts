/**
 * WebGPU correctness (issue #9, item 3): the fused WGSL kernels (src-engine/webgpu/) against the composed ops on
 * the cpu backend, then a tiny GPT-2 and a tiny Llama trained (LoRA and full) and generated on the webgpu
 * backend and on the cpu backend from the same weights; prints one JSON line with all of it.
 *   tsx scripts/bench/webgpu-check.ts [workdir]
 * The ladder (src-engine/backend.ts) refuses software adapters, which are slower than the native CPU backend;
 * this check takes any adapter Dawn offers, so that a machine without a GPU can still check the WebGPU kernels
 * on Mesa's llvmpipe through Dawn's OpenGL ES backend (start-webgpu.ts). Answers {"skip": why} when Dawn
 * offers no adapter.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { fusedKernelNames, hasFusedKernel } from '../../src-engine/models/fused-ops'
import { startWebgpu } from '../../src-engine/webgpu/start-webgpu'
import { benchInputs, gpt2Case, llamaCase, writeCaseModel, type BenchCase } from './cases'
import { fusedKernelCases, readOutputs, worstDifference } from './fused-kernel-cases'
import { runMode, type BenchMode } from './engine-modes'

const shape = { batch: 2, time: 32, newTokens: 24 }
export const checkCases: BenchCase[] = [
  gpt2Case('check-gpt2', { vocab: 96, positions: 64, embd: 32, layers: 2, heads: 4 }),
  llamaCase('check-llama', { vocab: 96, hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48 }),
]

interface BackendRun {
  losses: Record<string, number[]>
  generated: Record<string, number[]>
  /** GPU buffers held after each run's timed steps (MB; null on the cpu backend). */
  gpuMb: Record<string, number | null>
}

async function runAll(root: string): Promise<BackendRun> {
  const out: BackendRun = { losses: {}, generated: {}, gpuMb: {} }
  for (const c of checkCases) {
    const modelDir = writeCaseModel(c, root, 5, 0.3)
    const inputs = benchInputs(c, 8, shape)
    for (const mode of ['lora', 'full', 'generate'] as BenchMode[]) {
      const r = await runMode({ mode, modelDir, loraTargets: c.loraTargets, ids: inputs.ids, ...shape, prompt: [...inputs.prompt], warmup: 1, steps: 2, dumpLoraTo: null })
      out.gpuMb[`${c.name} ${mode}`] = r.gpuAllocatedMb
      if (mode === 'generate') out.generated[c.name] = r.generated
      else out.losses[`${c.name} ${mode}`] = r.losses
    }
  }
  return out
}

export interface KernelCheck {
  name: string
  worst: number
  error: string | null
}

/** Every fused-kernel case on webgpu (fused) against cpu (composed ops). */
async function checkKernels(): Promise<KernelCheck[]> {
  const checks: KernelCheck[] = []
  for (const c of fusedKernelCases) {
    await tf.setBackend('cpu')
    const expected = await readOutputs(c.run)
    await tf.setBackend('webgpu')
    const actual = await readOutputs(c.run)
    checks.push({ name: c.name, ...worstDifference(c, expected, actual) })
  }
  return checks
}

async function main(): Promise<unknown> {
  let adapter: string
  try {
    adapter = await startWebgpu({ allowSoftware: true })
  } catch (error) {
    return { skip: `WebGPU does not start here: ${error instanceof Error ? error.message : String(error)}` }
  }
  const root = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'fs-webgpu-check-'))
  try {
    const probe = tf.zeros([1])
    const fused = (Object.keys(fusedKernelNames) as (keyof typeof fusedKernelNames)[]).filter((name) => hasFusedKernel(name, probe))
    probe.dispose()
    const kernels = await checkKernels()
    await tf.setBackend('cpu')
    const cpu = await runAll(root)
    await tf.setBackend('webgpu')
    const webgpu = await runAll(root)
    return { adapter, fused, kernels, cpu, webgpu }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const answer = await main().catch((error: unknown) => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
process.stdout.write(`${JSON.stringify(answer)}\n`)
process.exit(0) // Dawn keeps the event loop alive
