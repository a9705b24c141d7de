/**
 * Loading model folders: clear errors (unsupported architecture, missing file, shape mismatch, missing
 * tensor), and tiny folders written here for cases the reference fixtures lack: llama3 and linear
 * rope_scaling, GPT-2 with gelu_new, F16/BF16 and sharded checkpoints, buffers to skip.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIds } from '../../../src-engine/generation'
import { activation, ropeSpec } from '../../../src-engine/models/layers'
import type { ForwardOptions } from '../../../src-engine/models/causal-lm'
import { loadModel } from '../../../src-engine/models/registry'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { fixtureRoot, maxAbsDiff, useCpuBackend } from './helpers'
import { gpt2Shapes, llamaShapes, randomWeights, tinyLlamaConfig, tinyLlamaDims, toStored, writeModelFolder } from './tiny-model'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-load-'))
beforeAll(useCpuBackend)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const ids = [1, 45, 78, 5, 89, 77, 74, 87, 74]

async function logitsOf(dir: string, options: ForwardOptions = {}, input = ids): Promise<Float32Array> {
  const { model } = loadModel(dir)
  const logits = tf.tidy(() => model.forward(tf.tensor2d([input], [1, input.length], 'int32'), options))
  const values = (await logits.data()) as Float32Array
  logits.dispose()
  model.dispose()
  return values
}

function tinyLlama(name: string, config: Record<string, unknown> = {}, options: { dtype?: 'F32' | 'F16' | 'BF16'; shards?: number; extra?: Record<string, number[]>; dims?: Partial<typeof tinyLlamaDims> } = {}): string {
  const dir = path.join(tmp, name)
  const shapes = { ...llamaShapes({ ...tinyLlamaDims, ...options.dims }), ...options.extra }
  writeModelFolder(dir, tinyLlamaConfig(config), toStored(randomWeights(shapes, 5), shapes, options.dtype ?? 'F32'), { shards: options.shards ?? 1 })
  return dir
}

describe('clear errors', () => {
  it('an unsupported architecture is named, with the supported list', () => {
    const dir = path.join(tmp, 'bert')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertForMaskedLM'] }))
    expect(() => loadModel(dir)).toThrow(/Unsupported architecture .*model_type "bert".*BertForMaskedLM.*gpt2 \(GPT2LMHeadModel\).*gpt_neox.*llama.*mistral.*qwen2/)
  })

  it('a missing folder, config.json or weights file is named', () => {
    expect(() => loadModel(path.join(tmp, 'nowhere'))).toThrow(/Missing model folder: .*nowhere/)
    const empty = path.join(tmp, 'empty')
    fs.mkdirSync(empty)
    expect(() => loadModel(empty)).toThrow(/Missing file: .*config\.json/)
    fs.writeFileSync(path.join(empty, 'config.json'), JSON.stringify(tinyLlamaConfig()))
    expect(() => loadModel(empty)).toThrow(/No weights in .*model\.safetensors/)
  })

  it('a shape mismatch names the tensor, the expected and the found shape, and frees what was loaded', () => {
    const dir = tinyLlama('mismatch', { intermediate_size: 40 }) // weights have 48
    const before = tf.memory().numTensors
    expect(() => loadModel(dir)).toThrow(/shape mismatch for tensor "model\.layers\.0\.mlp\.gate_proj\.weight": expected \[40,32\] .*found \[48,32\]/)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a missing tensor is named', () => {
    const dir = tinyLlama('untied', { tie_word_embeddings: false }, { dims: { tied: true, layers: 3 } })
    // config says 2 layers, file has 3: load works and reports the extra tensors; 4 layers fails
    expect(loadModel(dir).unusedTensors.filter((n) => n.startsWith('model.layers.2.'))).toHaveLength(9)
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tinyLlamaConfig({ num_hidden_layers: 4 })))
    expect(() => loadModel(dir)).toThrow(/tensor "model\.layers\.3\.input_layernorm\.weight" \[32\] is missing/)
  })
})

describe('rotary scaling', () => {
  it('llama3 rope_scaling: inverse frequencies by band (worked by hand)', () => {
    // dims 8, base 10000 → 1, 0.1, 0.01, 0.001; wavelengths 2π/f = 6.28, 62.8, 628, 6283
    // original context 64: high-frequency band wavelen < 64/4 = 16 unchanged; > 64/1 = 64 divided by factor 8;
    // in between (62.8): smooth = (64/62.83 − 1)/(4 − 1), f = (1 − smooth)·f/8 + smooth·f
    const spec = ropeSpec(8, 10000, { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 }, 'test')
    const smooth = (64 / ((2 * Math.PI) / 0.1) - 1) / 3
    const expected = [1, (1 - smooth) * (0.1 / 8) + smooth * 0.1, 0.01 / 8, 0.001 / 8]
    for (let i = 0; i < 4; i++) expect(spec.invFreq[i]).toBeCloseTo(expected[i]!, 7)
  })

  it('linear rope_scaling factor 2 at positions 0, 2, 4, … equals no scaling at 0, 1, 2, …', async () => {
    const plain = tinyLlama('rope-plain')
    const linear = tinyLlama('rope-linear', { rope_scaling: { type: 'linear', factor: 2 } })
    const n = ids.length
    const a = await logitsOf(plain, { positions: [Array.from({ length: n }, (_, t) => t)] })
    const b = await logitsOf(linear, { positions: [Array.from({ length: n }, (_, t) => 2 * t)] })
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5)
    expect(maxAbsDiff(a, await logitsOf(linear))).toBeGreaterThan(1e-3)
  })

  it('a llama3-scaled model loads, differs from unscaled, and its KV cache equals recomputation', async () => {
    const dir = tinyLlama('rope-llama3', { rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } })
    expect(maxAbsDiff(await logitsOf(dir), await logitsOf(tinyLlama('rope-llama3-off', { rope_theta: 500000 })))).toBeGreaterThan(1e-4)
    const { model } = loadModel(dir)
    const cached = await generateIds(model, [ids], { maxNewTokens: 6, eosTokenIds: [], outputScores: true })
    const recomputed = await generateIds(model, [ids], { maxNewTokens: 6, eosTokenIds: [], outputScores: true, useCache: false })
    model.dispose()
    expect(cached.ids).toEqual(recomputed.ids)
    expect(Math.max(...cached.scores.map((s, i) => maxAbsDiff(s[0]!, recomputed.scores[i]![0]!)))).toBeLessThanOrEqual(1e-5)
  })
})

describe('Mistral sliding window', () => {
  it('with one layer, the last position sees only the last `window` tokens (RoPE is relative), with or without the cache', async () => {
    const config = { model_type: 'mistral', architectures: ['MistralForCausalLM'], num_hidden_layers: 1, sliding_window: 4 }
    const dir = tinyLlama('mistral', config, { dims: { layers: 1 } })
    const V = 100
    const lastRow = (values: Float32Array) => values.slice(values.length - V)
    const full = lastRow(await logitsOf(dir))
    const tail = lastRow(await logitsOf(dir, {}, ids.slice(-4)))
    expect(maxAbsDiff(full, tail)).toBeLessThanOrEqual(1e-5)
    // without the window (llama), the earlier tokens matter
    const unwindowed = tinyLlama('mistral-as-llama', { num_hidden_layers: 1 }, { dims: { layers: 1 } })
    expect(maxAbsDiff(lastRow(await logitsOf(unwindowed)), lastRow(await logitsOf(unwindowed, {}, ids.slice(-4))))).toBeGreaterThan(1e-3)
    const { model } = loadModel(dir)
    const cached = await generateIds(model, [ids], { maxNewTokens: 5, eosTokenIds: [], outputScores: true })
    const recomputed = await generateIds(model, [ids], { maxNewTokens: 5, eosTokenIds: [], outputScores: true, useCache: false })
    model.dispose()
    expect(cached.ids).toEqual(recomputed.ids)
    expect(Math.max(...cached.scores.map((s, i) => maxAbsDiff(s[0]!, recomputed.scores[i]![0]!)))).toBeLessThanOrEqual(1e-5)
  })
})

describe('GPT-2 activations', () => {
  it('gelu is the erf GELU and gelu_new the tanh one (values by hand)', async () => {
    const x = tf.tensor1d([-1, 0, 1, 2])
    const erfGelu = tf.tidy(() => activation('gelu')(x))
    const tanhGelu = tf.tidy(() => activation('gelu_new')(x))
    // x·Φ(x) with erf(1/√2) = 0.6826894921, erf(√2) = 0.9544997361
    const exact = [-0.5 * (1 - 0.6826894921), 0, 0.5 * (1 + 0.6826894921), 1 + 0.9544997361]
    const tanh = [-1, 0, 1, 2].map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))))
    expect(maxAbsDiff(await erfGelu.data(), exact)).toBeLessThan(2e-6)
    expect(maxAbsDiff(await tanhGelu.data(), tanh)).toBeLessThan(2e-6)
    expect(maxAbsDiff(exact, tanh)).toBeGreaterThan(1e-4)
    tf.dispose([x, erfGelu, tanhGelu])
  })

  it('a gelu_new GPT-2 folder loads (buffers skipped), caches like it recomputes, and refuses positions past n_positions', async () => {
    const dir = path.join(tmp, 'gpt2-new')
    const shapes = { ...gpt2Shapes({ vocab: 100, positions: 32, embd: 24, layers: 2, inner: 40 }), 'transformer.h.0.attn.bias': [1, 1, 32, 32], 'transformer.h.0.attn.masked_bias': [1] }
    writeModelFolder(dir, {
      model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 100, n_positions: 32, n_embd: 24, n_layer: 2, n_head: 3, n_inner: null,
      activation_function: 'gelu_new', layer_norm_epsilon: 1e-5,
    }, toStored(randomWeights(shapes, 3), shapes))
    // n_inner null → 4·24 = 96, but the file has 40: the loader must say so
    expect(() => loadModel(dir)).toThrow(/"transformer\.h\.0\.mlp\.c_fc\.weight": expected \[24,96\].*found \[24,40\]/)
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, n_inner: 40 }))
    const loaded = loadModel(dir)
    expect(loaded.unusedTensors).toEqual([])
    const cached = await generateIds(loaded.model, [ids], { maxNewTokens: 6, eosTokenIds: [], outputScores: true })
    const recomputed = await generateIds(loaded.model, [ids], { maxNewTokens: 6, eosTokenIds: [], outputScores: true, useCache: false })
    expect(cached.ids).toEqual(recomputed.ids)
    await expect(generateIds(loaded.model, [ids], { maxNewTokens: 30 })).rejects.toThrow(/exceeds this model's 32 positions/)
    loaded.model.dispose()
  })
})

describe('checkpoint formats', () => {
  it('F16, BF16 and a 3-shard checkpoint give the same logits as F32 (values exact in 16 bits)', async () => {
    const reference = await logitsOf(tinyLlama('f32'))
    for (const [name, options] of [['f16', { dtype: 'F16' }], ['bf16', { dtype: 'BF16' }], ['sharded', { shards: 3 }]] as const) {
      expect(maxAbsDiff(await logitsOf(tinyLlama(name, {}, options)), reference)).toBe(0)
    }
  })

  it('rotary inv_freq buffers are skipped; generation_config and tokenizer.json are read', async () => {
    const dir = tinyLlama('buffers', {}, { extra: { 'model.layers.0.self_attn.rotary_emb.inv_freq': [4] } })
    const loaded = loadModel(dir)
    expect(loaded.unusedTensors).toEqual([])
    expect(loaded.generation.eosTokenIds).toEqual([2])
    loaded.model.dispose()
    const tokenizer = await loadTokenizer(dir)
    expect(tokenizer.encode('Hi', { addSpecialTokens: true })).toEqual([1, 45, 78])
  })

  it('the fixtures: tied llama (no lm_head in the file) and untied qwen2 load every tensor', () => {
    for (const arch of ['llama', 'qwen2']) {
      const loaded = loadModel(path.join(fixtureRoot, 'models', arch))
      expect(loaded.model.linears.has('lm_head')).toBe(true)
      expect(loaded.unusedTensors).toEqual([])
      loaded.model.dispose()
    }
  })
})
