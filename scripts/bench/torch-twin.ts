/**
 * The PyTorch twin (torch_twin.py) from TypeScript: whether /usr/bin/python3 can import torch, and one
 * (case, mode) run of it with the same inputs and thread count as the engine.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { BenchMode } from './engine-modes'

export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const script = path.join(import.meta.dirname, 'torch_twin.py')

/**
 * Debian's python3-torch calls whichever libblas.so.3 the system provides; with only libblas3 (the netlib
 * reference BLAS) its matmuls run ~20x slower than on OpenBLAS, and every ratio would flatter us. A folder
 * holding an OpenBLAS libblas.so.3 (fetch-openblas.sh unpacks Debian's libopenblas0-pthread into
 * .bench/openblas without installing it) goes first on PyTorch's library path.
 */
export const openblasDir = process.env.BENCH_TORCH_LIBRARY_PATH ?? path.join(import.meta.dirname, '..', '..', '.bench', 'openblas', 'usr', 'lib', 'x86_64-linux-gnu', 'openblas-pthread')

function torchEnv(threads: number): NodeJS.ProcessEnv {
  const libraryPath = fs.existsSync(path.join(openblasDir, 'libblas.so.3')) ? [openblasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') : process.env.LD_LIBRARY_PATH
  return { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), ...(libraryPath ? { LD_LIBRARY_PATH: libraryPath } : {}) }
}

/** A note when PyTorch computes on the reference BLAS (its numbers are then far below its best). */
export function blasWarning(blas: string | null): string | null {
  if (blas === null || /openblas|mkl|blis/i.test(blas)) return null
  return `PyTorch runs on ${blas}, the slow reference BLAS: its tokens/s are far below what it does with OpenBLAS, so ratios flatter the engine. Run scripts/bench/fetch-openblas.sh (or set BENCH_TORCH_LIBRARY_PATH to a folder holding an OpenBLAS libblas.so.3).`
}

export const TorchAnswer = z.object({
  torch: z.string(),
  blas: z.string().nullable(),
  threads: z.number(),
  ms_per_step: z.number(),
  cpu_ms_per_step: z.number(),
  tokens_per_s: z.number(),
  losses: z.array(z.number()),
  generated: z.array(z.number()),
  trainable_params: z.number(),
  peak_mb: z.number(),
})
export type TorchAnswer = z.infer<typeof TorchAnswer>

/** The torch version, or why there is no PyTorch reference in this run. */
export function probeTorch(): { version: string } | { missing: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' })
  if (probe.error) return { missing: `${PYTHON} cannot run (${probe.error.message})` }
  if (probe.status !== 0) return { missing: `${PYTHON} has no torch (${probe.stderr.trim().split('\n').pop() ?? 'import failed'})` }
  return { version: probe.stdout.trim() }
}

export interface TorchRequest {
  modelDir: string
  inputsFile: string
  mode: BenchMode
  loraInit: string | null
  loraScale: number
  warmup: number
  steps: number
  threads: number
  device: 'cpu' | 'cuda'
  lr: number
  batch: number
  time: number
  newTokens: number
}

export function runTorchTwin(request: TorchRequest): TorchAnswer {
  const run = spawnSync(PYTHON, [script, JSON.stringify(request)], {
    encoding: 'utf8',
    env: torchEnv(request.threads),
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`torch_twin.py failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`)
  const lastLine = run.stdout.trim().split('\n').pop() ?? ''
  return TorchAnswer.parse(JSON.parse(lastLine))
}
