/**
 * WebGPU (Dawn) against the cpu backend: each fused WGSL kernel (src-engine/webgpu/) through the ops that call
 * it, values and gradients, within the native kernels' tolerances; then a tiny GPT-2 and Llama from the same
 * weights: LoRA and full fine-tuning losses within 1e-3 over three steps, and the same greedy tokens. Runs scripts/bench/webgpu-check.ts
 * in its own process (Dawn keeps a process alive); skipped, with the reason, where Dawn offers no adapter.
 * Here (no GPU) the adapter is Mesa's llvmpipe through Dawn's OpenGL ES backend.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { beforeAll, expect, it } from 'vitest'

interface Run {
  losses: Record<string, number[]>
  generated: Record<string, number[]>
  gpuMb: Record<string, number | null>
}
interface KernelCheck {
  name: string
  worst: number
  error: string | null
}
type Answer = { skip: string } | { error: string } | { adapter: string; fused: string[]; kernels: KernelCheck[]; cpu: Run; webgpu: Run }

let answer: Answer
beforeAll(() => {
  const script = path.join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'webgpu-check.ts')
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 150_000 })
  const last = run.stdout.trim().split('\n').pop() ?? ''
  answer = last.startsWith('{') ? (JSON.parse(last) as Answer) : { error: `webgpu-check exited ${run.status ?? run.signal}: ${run.stderr.slice(-500)}` }
}, 180_000)

it('the fused WGSL kernels are registered and equal the composed ops on cpu, with gradients', (ctx) => {
  if ('skip' in answer) ctx.skip(answer.skip)
  if ('error' in answer) throw new Error(answer.error)
  if (!('cpu' in answer)) return
  expect(answer.fused).toEqual(['geluTanh', 'geluTanhGrad', 'layerNorm', 'layerNormGrad', 'logSumExpRows', 'softmaxCrossEntropyGrad', 'adamStep'])
  expect(answer.kernels.length).toBeGreaterThanOrEqual(11)
  for (const check of answer.kernels) {
    console.log(`[webgpu] ${check.name}: worst difference ${check.worst.toExponential(2)}`)
    expect(check.error, check.name).toBeNull()
  }
})

it('webgpu trains (LoRA, full) and generates as the cpu backend does', (ctx) => {
  if ('skip' in answer) ctx.skip(answer.skip)
  if ('error' in answer) throw new Error(answer.error)
  if (!('cpu' in answer)) return
  console.log(`[webgpu] adapter: ${answer.adapter}`)
  const runs = Object.keys(answer.cpu.losses)
  expect(runs).toHaveLength(4)
  for (const name of runs) {
    const cpu = answer.cpu.losses[name]!
    const gpu = answer.webgpu.losses[name]!
    expect(gpu).toHaveLength(3)
    cpu.forEach((loss, step) => expect(Math.abs(gpu[step]! - loss), `${name} step ${step}`).toBeLessThanOrEqual(1e-3))
    expect(cpu[2]).toBeLessThan(cpu[0]!) // it trained
  }
  for (const [name, mb] of Object.entries(answer.webgpu.gpuMb)) {
    expect(answer.cpu.gpuMb[name], name).toBeNull()
    expect(mb, name).toBeGreaterThan(0) // the bench's gpu_mb: buffers the webgpu backend holds
  }
  for (const [name, tokens] of Object.entries(answer.cpu.generated)) {
    expect(new Set(tokens).size).toBeGreaterThan(3) // a varied sequence, not one token repeated
    expect(answer.webgpu.generated[name]).toEqual(tokens)
  }
}, 30_000)
