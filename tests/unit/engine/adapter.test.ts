/**
 * PEFT LoRA adapters: a small adapter with known numbers (lora_B nonzero) applied at load must equal the
 * base model with the weights merged by hand in plain JS: W + scale · B · A (nn.Linear, [out, in]) or
 * W + scale · (B · A)ᵀ (GPT-2 Conv1D, [in, out], fan_in_fan_out). scale = alpha / r, or alpha / √r (rsLoRA).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRng } from '../../../src-engine/generation/rng'
import { loadModel } from '../../../src-engine/models/registry'
import { SafetensorsFile, writeSafetensors } from '../../../src-engine/weights/safetensors'
import { toFloat32, type StoredTensor } from '../../../src-engine/weights/stored-tensor'
import { fixtureRoot, maxAbsDiff, useCpuBackend } from './helpers'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-lora-'))
beforeAll(useCpuBackend)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const f32 = (values: Float32Array, shape: number[]): StoredTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(values.buffer.slice(0)) })

function randomMatrix(rows: number, cols: number, rng: () => number, amplitude: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => (rng() * 2 - 1) * amplitude)
}

interface Case {
  arch: string
  modules: { name: string; conv1d: boolean }[]
  r: number
  alpha: number
  rslora: boolean
}

/** Writes the adapter folder and a merged copy of the base model; returns both folders. */
function prepare(c: Case): { adapter: string; merged: string } {
  const base = path.join(fixtureRoot, 'models', c.arch)
  const adapter = path.join(tmp, `${c.arch}-adapter`)
  const merged = path.join(tmp, `${c.arch}-merged`)
  fs.mkdirSync(adapter, { recursive: true })
  fs.mkdirSync(merged, { recursive: true })
  const scale = c.rslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r
  const weights = new SafetensorsFile(path.join(base, 'model.safetensors'))
  const mergedTensors: Record<string, StoredTensor> = Object.fromEntries(weights.names().map((n) => [n, weights.get(n)]))
  const adapterTensors: Record<string, StoredTensor> = {}
  const rng = seededRng(99)
  for (const m of c.modules) {
    const w = weights.get(`${m.name}.weight`)
    const [inF, outF] = m.conv1d ? [w.shape[0]!, w.shape[1]!] : [w.shape[1]!, w.shape[0]!]
    const A = randomMatrix(c.r, inF, rng, 0.3) // [r, in]
    const B = randomMatrix(outF, c.r, rng, 0.3) // [out, r], nonzero
    adapterTensors[`base_model.model.${m.name}.lora_A.weight`] = f32(A, [c.r, inF])
    adapterTensors[`base_model.model.${m.name}.lora_B.weight`] = f32(B, [outF, c.r])
    const W = toFloat32(w)
    for (let o = 0; o < outF; o++) {
      for (let i = 0; i < inF; i++) {
        let delta = 0
        for (let k = 0; k < c.r; k++) delta += B[o * c.r + k]! * A[k * inF + i]!
        const index = m.conv1d ? i * outF + o : o * inF + i
        W[index] = W[index]! + scale * delta
      }
    }
    mergedTensors[`${m.name}.weight`] = f32(W, w.shape)
  }
  writeSafetensors(path.join(adapter, 'adapter_model.safetensors'), adapterTensors)
  fs.writeFileSync(path.join(adapter, 'adapter_config.json'), JSON.stringify({
    peft_type: 'LORA', r: c.r, lora_alpha: c.alpha, use_rslora: c.rslora, bias: 'none', lora_dropout: 0,
    fan_in_fan_out: c.modules.some((m) => m.conv1d), target_modules: c.modules.map((m) => m.name.split('.').pop()),
    base_model_name_or_path: base, task_type: 'CAUSAL_LM',
  }))
  for (const file of ['config.json', 'generation_config.json']) fs.copyFileSync(path.join(base, file), path.join(merged, file))
  writeSafetensors(path.join(merged, 'model.safetensors'), mergedTensors)
  return { adapter, merged }
}

async function logitsOf(dir: string, adapterDir?: string): Promise<Float32Array> {
  const { model } = loadModel(dir, adapterDir ? { adapterDir } : {})
  const ids = [1, 45, 78, 5, 89, 77, 74, 87, 74]
  const logits = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')))
  const values = (await logits.data()) as Float32Array
  logits.dispose()
  model.dispose()
  return values
}

describe('PEFT LoRA adapter = hand-merged weights', () => {
  const cases: Case[] = [
    { arch: 'llama', r: 4, alpha: 8, rslora: false, modules: [{ name: 'model.layers.0.self_attn.q_proj', conv1d: false }, { name: 'model.layers.2.self_attn.v_proj', conv1d: false }, { name: 'model.layers.1.mlp.down_proj', conv1d: false }] },
    { arch: 'qwen2', r: 4, alpha: 8, rslora: true, modules: [{ name: 'model.layers.0.self_attn.k_proj', conv1d: false }, { name: 'model.layers.1.mlp.gate_proj', conv1d: false }] },
    { arch: 'gpt2', r: 2, alpha: 16, rslora: false, modules: [{ name: 'transformer.h.0.attn.c_attn', conv1d: true }, { name: 'transformer.h.1.mlp.c_fc', conv1d: true }] },
    { arch: 'gpt_neox', r: 3, alpha: 6, rslora: false, modules: [{ name: 'gpt_neox.layers.0.attention.query_key_value', conv1d: false }] },
  ]
  it.each(cases.map((c) => [c.arch, c] as const))('%s', async (_, c) => {
    const { adapter, merged } = prepare(c)
    const withAdapter = await logitsOf(path.join(fixtureRoot, 'models', c.arch), adapter)
    const mergedLogits = await logitsOf(merged)
    const base = await logitsOf(path.join(fixtureRoot, 'models', c.arch))
    expect(maxAbsDiff(withAdapter, base)).toBeGreaterThan(1e-2) // the adapter matters
    expect(maxAbsDiff(withAdapter, mergedLogits)).toBeLessThanOrEqual(1e-5)
  })

  it('an adapter for modules the model lacks is a clear error', () => {
    const dir = path.join(tmp, 'wrong-adapter')
    fs.mkdirSync(dir, { recursive: true })
    const A = new Float32Array(2 * 48)
    const B = new Float32Array(48 * 2)
    writeSafetensors(path.join(dir, 'adapter_model.safetensors'), {
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': f32(A, [2, 48]),
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight': f32(B, [48, 2]),
    })
    fs.writeFileSync(path.join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4 }))
    expect(() => loadModel(path.join(fixtureRoot, 'models', 'gpt2'), { adapterDir: dir })).toThrow(/targets modules .*model\.layers\.0\.self_attn\.q_proj/)
    expect(() => loadModel(path.join(fixtureRoot, 'models', 'gpt2'), { adapterDir: path.join(tmp, 'nope') })).toThrow(/Missing adapter folder/)
  })
})
