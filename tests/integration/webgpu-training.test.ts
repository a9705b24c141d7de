/**
 * The product's own trainer on WebGPU, end to end: `finetune-studio train` on the demo backbone with
 * FINETUNE_STUDIO_BACKEND=webgpu, and the same run on the cpu backend. Losses, validation losses and the saved
 * predictions must agree (1e-3), and `chat` must answer with the adapter on WebGPU as predictions.csv says.
 * The config takes the paths that read tensors back on the host: gradient clipping (global norm) and the
 * 8-bit optimizer (its moments live in JS memory), which Node's WebGPU can only do asynchronously.
 * Here (no GPU) FINETUNE_STUDIO_WEBGPU_SOFTWARE=1 lets the ladder take Mesa's llvmpipe; skipped, with the
 * reason, where Dawn offers no adapter at all.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import Papa from 'papaparse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { binPath } from '../helpers/cli'
import { demoProjectYaml, writeDemoProject } from '../helpers/demo-project'

const run = promisify(execFile)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgpu-training-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

// The two paths that read tensors back on the host each step (see the header).
const yaml = demoProjectYaml('webgpu-run', '  optimizer: AdamW8bit\n  gradient_clip: 1.0\n')

type Metric = { step: string; name: string; value: number }

function metrics(dir: string): Metric[] {
  const lines = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n').slice(1)
  return lines.map((line) => {
    const [step, , name, value] = line.split(',')
    return { step: step!, name: name!, value: Number(value) }
  })
}

function predictions(dir: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
}

const env = (backend: string) => ({ ...process.env, FINETUNE_STUDIO_BACKEND: backend, FINETUNE_STUDIO_WEBGPU_SOFTWARE: '1' })
const cli = (backend: string, ...args: string[]) => run(process.execPath, [binPath, ...args], { env: env(backend), maxBuffer: 1 << 24, timeout: 240_000 })

let skipReason: string | null = null
let webgpuLog = ''
beforeAll(async () => {
  const project = path.join(tmp, 'project')
  writeDemoProject(project, yaml)
  try {
    webgpuLog = (await cli('webgpu', 'train', path.join(project, 'cfg.yaml'), '--output', path.join(tmp, 'webgpu'))).stderr
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error)
    if (/"webgpu" backend was requested .* could not start/s.test(stderr)) skipReason = stderr.split('\n').find((l) => l.includes('could not start')) ?? stderr
    else throw error
  }
  if (!skipReason) await cli('cpu', 'train', path.join(project, 'cfg.yaml'), '--output', path.join(tmp, 'cpu'))
}, 600_000)

it('trains on WebGPU as on the cpu backend: every loss, the validation losses and the predictions', (ctx) => {
  if (skipReason) ctx.skip(skipReason)
  expect(webgpuLog).toContain('Done: 8 steps')
  const logs = fs.readFileSync(path.join(tmp, 'webgpu', 'logs.txt'), 'utf8')
  expect(logs).toMatch(/backend webgpu \(/)
  const gpu = metrics(path.join(tmp, 'webgpu'))
  const cpu = metrics(path.join(tmp, 'cpu'))
  const compared = cpu.filter((m) => m.name === 'train/loss' || m.name === 'val/loss' || m.name === 'train/grad_norm')
  expect(compared.filter((m) => m.name === 'train/loss')).toHaveLength(8)
  for (const want of compared) {
    const got = gpu.find((m) => m.step === want.step && m.name === want.name)
    expect(got, `${want.name} at step ${want.step}`).toBeDefined()
    expect(Math.abs(got!.value - want.value), `${want.name} at step ${want.step}`).toBeLessThanOrEqual(1e-3)
  }
  expect(cpu.find((m) => m.name === 'train/loss' && m.step === '8')!.value).toBeLessThan(cpu[0]!.value) // it learned
  expect(predictions(path.join(tmp, 'webgpu')).map((p) => p.predicted)).toEqual(predictions(path.join(tmp, 'cpu')).map((p) => p.predicted))
  for (const file of ['checkpoints/last/optimizer.safetensors', 'adapter/adapter_model.safetensors']) expect(fs.existsSync(path.join(tmp, 'webgpu', file)), file).toBe(true)
}, 60_000)

it('chat answers with the WebGPU-trained adapter on WebGPU as predictions.csv says', async (ctx) => {
  if (skipReason) ctx.skip(skipReason)
  const { prompt, predicted } = predictions(path.join(tmp, 'webgpu'))[0] as { prompt: string; predicted: string }
  const chat = await cli('webgpu', 'chat', path.join(tmp, 'webgpu'), '--prompt', prompt)
  expect(chat.stdout).toBe(`${predicted}\n`)
}, 240_000)
