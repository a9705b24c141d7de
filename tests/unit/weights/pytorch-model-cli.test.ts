/**
 * A model folder with only pytorch_model.bin (written by real torch 1.13) works in the CLI like its
 * safetensors twin: same logits as transformers, the conversion said on stderr once, reused afterwards.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../helpers/cli'

const run = promisify(execFile)
const bin = path.join(repoRoot, 'bin', 'finetune-studio.mjs')

describe('a PyTorch-only model folder in the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-model-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.cpSync(path.join(repoRoot, 'tests/fixtures/pytorch-model/gpt2'), dir, { recursive: true })
  const ref = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tests/fixtures/hf-reference/ref/gpt2.json'), 'utf8')) as {
    inputs: { input_ids: number[] }[]
    forward: { logits: number[][]; loss: number }[]
  }
  const forward = () => run(process.execPath, [bin, 'forward', '--model', dir, '--ids', ref.inputs[0]!.input_ids.join(' '), '--json'], { env: { ...process.env, FINETUNE_STUDIO_BACKEND: 'cpu' } })

  it('converts once (and says so), matches transformers, and reuses the converted weights', async () => {
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false)
    const first = await forward()
    expect(first.stderr).toMatch(/Convert/)
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(true)
    const out = JSON.parse(first.stdout) as { logits: number[][]; loss: number }
    const diff = Math.max(...out.logits.flat().map((v, i) => Math.abs(v - ref.forward[0]!.logits.flat()[i]!)))
    expect(diff).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(out.loss - ref.forward[0]!.loss) / ref.forward[0]!.loss).toBeLessThanOrEqual(1e-5)
    const second = await forward()
    expect(second.stderr).not.toMatch(/Converting/)
    expect(JSON.parse(second.stdout)).toEqual(out)
  })
})
