/**
 * Writes small Hugging Face-format model folders (config.json, model.safetensors, tokenizer.json) with seeded
 * random weights, for loader cases the reference fixtures do not cover (rope_scaling, gelu_new, 16-bit
 * weights, sharded checkpoints, long contexts). The tokenizer is the fixtures' char-level tokenizer.json.
 */
import fs from 'node:fs'
import path from 'node:path'
import { writeSafetensors } from '../../../src-engine/weights/safetensors'
import type { StoredDType, StoredTensor } from '../../../src-engine/weights/stored-tensor'
import { seededRng } from '../../../src-engine/generation/rng'
import { fixtureRoot } from './helpers'

export type Shapes = Record<string, number[]>

export function llamaShapes(c: { vocab: number; hidden: number; layers: number; heads: number; kvHeads: number; ffn: number; tied: boolean; qkvBias?: boolean }): Shapes {
  const D = c.hidden / c.heads
  const s: Shapes = { 'model.embed_tokens.weight': [c.vocab, c.hidden], 'model.norm.weight': [c.hidden] }
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}`
    Object.assign(s, {
      [`${p}.input_layernorm.weight`]: [c.hidden],
      [`${p}.post_attention_layernorm.weight`]: [c.hidden],
      [`${p}.self_attn.q_proj.weight`]: [c.heads * D, c.hidden],
      [`${p}.self_attn.k_proj.weight`]: [c.kvHeads * D, c.hidden],
      [`${p}.self_attn.v_proj.weight`]: [c.kvHeads * D, c.hidden],
      [`${p}.self_attn.o_proj.weight`]: [c.hidden, c.heads * D],
      [`${p}.mlp.gate_proj.weight`]: [c.ffn, c.hidden],
      [`${p}.mlp.up_proj.weight`]: [c.ffn, c.hidden],
      [`${p}.mlp.down_proj.weight`]: [c.hidden, c.ffn],
    })
    if (c.qkvBias) Object.assign(s, { [`${p}.self_attn.q_proj.bias`]: [c.heads * D], [`${p}.self_attn.k_proj.bias`]: [c.kvHeads * D], [`${p}.self_attn.v_proj.bias`]: [c.kvHeads * D] })
  }
  if (!c.tied) s['lm_head.weight'] = [c.vocab, c.hidden]
  return s
}

export function gpt2Shapes(c: { vocab: number; positions: number; embd: number; layers: number; inner: number }): Shapes {
  const C = c.embd
  const s: Shapes = { 'transformer.wte.weight': [c.vocab, C], 'transformer.wpe.weight': [c.positions, C], 'transformer.ln_f.weight': [C], 'transformer.ln_f.bias': [C] }
  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.h.${i}`
    Object.assign(s, {
      [`${p}.ln_1.weight`]: [C], [`${p}.ln_1.bias`]: [C], [`${p}.ln_2.weight`]: [C], [`${p}.ln_2.bias`]: [C],
      [`${p}.attn.c_attn.weight`]: [C, 3 * C], [`${p}.attn.c_attn.bias`]: [3 * C],
      [`${p}.attn.c_proj.weight`]: [C, C], [`${p}.attn.c_proj.bias`]: [C],
      [`${p}.mlp.c_fc.weight`]: [C, c.inner], [`${p}.mlp.c_fc.bias`]: [c.inner],
      [`${p}.mlp.c_proj.weight`]: [c.inner, C], [`${p}.mlp.c_proj.bias`]: [C],
    })
  }
  return s
}

/** Seeded values: weights N(0, 0.1²)-ish, norm gains around 1; rounded to multiples of 2⁻¹⁰ so F16/BF16 hold them exactly. */
export function randomWeights(shapes: Shapes, seed: number): Record<string, Float32Array> {
  const rng = seededRng(seed)
  const out: Record<string, Float32Array> = {}
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1)
    const values = new Float32Array(n)
    const isGain = /norm|ln_\d|ln_f/.test(name) && name.endsWith('.weight')
    for (let i = 0; i < n; i++) {
      const gaussian = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
      const v = (isGain ? 1 : 0) + 0.1 * gaussian
      values[i] = Math.round(v * 64) / 64 // 6 fraction bits: exact in float16 and bfloat16
    }
    out[name] = values
  }
  return out
}

function encode(values: Float32Array, dtype: StoredDType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
  const out = new Uint8Array(values.length * 2)
  const view = new DataView(out.buffer)
  const f = new Float32Array(1)
  const u = new Uint32Array(f.buffer)
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i]!
    if (dtype === 'BF16') {
      view.setUint16(i * 2, u[0]! >>> 16, true) // exact: the values have few mantissa bits
    } else {
      // float16 of a value with ≤ 10 mantissa bits and a normal exponent: exact
      const x = values[i]!
      if (x === 0) {
        view.setUint16(i * 2, 0, true)
        continue
      }
      const sign = x < 0 ? 0x8000 : 0
      const a = Math.abs(x)
      const e = Math.floor(Math.log2(a))
      const mantissa = Math.round((a / 2 ** e - 1) * 1024)
      view.setUint16(i * 2, sign | ((e + 15) << 10) | mantissa, true)
    }
  }
  return out
}

export function toStored(weights: Record<string, Float32Array>, shapes: Shapes, dtype: StoredDType = 'F32'): Record<string, StoredTensor> {
  return Object.fromEntries(Object.entries(weights).map(([name, values]) => [name, { dtype, shape: shapes[name]!, bytes: encode(values, dtype) }]))
}

export function writeModelFolder(dir: string, config: Record<string, unknown>, tensors: Record<string, StoredTensor>, options: { shards?: number } = {}): void {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2))
  fs.copyFileSync(path.join(fixtureRoot, 'models', 'llama', 'tokenizer.json'), path.join(dir, 'tokenizer.json'))
  fs.copyFileSync(path.join(fixtureRoot, 'models', 'llama', 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'))
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 0 }))
  const shards = options.shards ?? 1
  if (shards === 1) {
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors)
    return
  }
  const names = Object.keys(tensors).sort()
  const weightMap: Record<string, string> = {}
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`
    const part = names.filter((_, i) => i % shards === s)
    for (const n of part) weightMap[n] = file
    writeSafetensors(path.join(dir, file), Object.fromEntries(part.map((n) => [n, tensors[n]!])))
  }
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }))
}

export function tinyLlamaConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 100, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 4096,
    rms_norm_eps: 1e-5, rope_theta: 10000, hidden_act: 'silu', tie_word_embeddings: true, bos_token_id: 1, eos_token_id: 2, ...extra,
  }
}

export const tinyLlamaDims = { vocab: 100, hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48, tied: true }
