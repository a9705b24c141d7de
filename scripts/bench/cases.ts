/**
 * The bench's models: Hugging Face-format folders (config.json + model.safetensors) with seeded random
 * weights, written once per run into a temp folder and loaded through the engine's real loader (and read by
 * the PyTorch twin from the same file).
 *
 *   gpt-5m     the issue's tiny GPT: GPT-2 shaped, 4 layers, n_embd 256, 4 heads, vocab 8000 (5.3M parameters;
 *              n_positions 256 rather than 128 so that a 16-token prompt + 128 new tokens fit).
 *   gpt2-100m  GPT-2 small (12 layers, 768, 12 heads) with a 32000 vocabulary: 110M parameters.
 *   llama-100m Llama shaped: 12 layers, 768, 12 query / 4 key-value heads (GQA), SwiGLU 2048, vocab 32000,
 *              tied embeddings: 100M parameters.
 * Initialisation as GPT-2's: N(0, 0.02²) weights, unit norm gains, zero biases, so the first loss is about
 * ln(vocab) and float32 sums agree between engines.
 */
import fs from 'node:fs'
import path from 'node:path'
import { seededRng } from '../../src-engine/generation/rng'
import { writeSafetensorsStreaming, type SafetensorsEntry } from '../../src-engine/weights/safetensors'

export const caseNames = ['gpt-5m', 'gpt2-100m', 'llama-100m'] as const
export type CaseName = (typeof caseNames)[number]

export interface BenchCase {
  name: string
  config: Record<string, unknown>
  /** tensor name → shape, as the checkpoint stores it (nn.Linear [out, in], GPT-2 Conv1D [in, out]). */
  shapes: Record<string, number[]>
  /** PEFT target_modules for the LoRA mode: the attention's query and value projections. */
  loraTargets: string[]
  vocab: number
}

/** Every case trains on batches of 4 × 128 tokens (512 tokens a step) and generates 128 tokens after 16. */
export const trainShape = { batch: 4, time: 128 } as const
export const generateShape = { promptTokens: 16, newTokens: 128 } as const
export const loraShape = { r: 8, alpha: 16 } as const

export function gpt2Case(name: string, d: { vocab: number; positions: number; embd: number; layers: number; heads: number }): BenchCase {
  const C = d.embd
  const shapes: Record<string, number[]> = { 'transformer.wte.weight': [d.vocab, C], 'transformer.wpe.weight': [d.positions, C], 'transformer.ln_f.weight': [C], 'transformer.ln_f.bias': [C] }
  for (let i = 0; i < d.layers; i++) {
    const p = `transformer.h.${i}`
    for (const ln of ['ln_1', 'ln_2']) Object.assign(shapes, { [`${p}.${ln}.weight`]: [C], [`${p}.${ln}.bias`]: [C] })
    const conv1d: [string, number, number][] = [['attn.c_attn', C, 3 * C], ['attn.c_proj', C, C], ['mlp.c_fc', C, 4 * C], ['mlp.c_proj', 4 * C, C]]
    for (const [module, inF, outF] of conv1d) Object.assign(shapes, { [`${p}.${module}.weight`]: [inF, outF], [`${p}.${module}.bias`]: [outF] })
  }
  const config = {
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: d.vocab, n_positions: d.positions, n_embd: C, n_layer: d.layers,
    n_head: d.heads, n_inner: null, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, tie_word_embeddings: true,
  }
  // GPT-2's c_attn is one fused q|k|v projection: PEFT targets it whole.
  return { name, config, shapes, loraTargets: ['c_attn'], vocab: d.vocab }
}

export function llamaCase(name: string, d: { vocab: number; hidden: number; layers: number; heads: number; kvHeads: number; ffn: number }): BenchCase {
  const C = d.hidden
  const D = C / d.heads
  const shapes: Record<string, number[]> = { 'model.embed_tokens.weight': [d.vocab, C], 'model.norm.weight': [C] }
  for (let i = 0; i < d.layers; i++) {
    const p = `model.layers.${i}`
    const linears: [string, number, number][] = [
      ['self_attn.q_proj', C, d.heads * D], ['self_attn.k_proj', C, d.kvHeads * D], ['self_attn.v_proj', C, d.kvHeads * D], ['self_attn.o_proj', d.heads * D, C],
      ['mlp.gate_proj', C, d.ffn], ['mlp.up_proj', C, d.ffn], ['mlp.down_proj', d.ffn, C],
    ]
    for (const [module, inF, outF] of linears) shapes[`${p}.${module}.weight`] = [outF, inF]
    Object.assign(shapes, { [`${p}.input_layernorm.weight`]: [C], [`${p}.post_attention_layernorm.weight`]: [C] })
  }
  const config = {
    model_type: 'llama', architectures: ['LlamaForCausalLM'], vocab_size: d.vocab, hidden_size: C, num_hidden_layers: d.layers,
    num_attention_heads: d.heads, num_key_value_heads: d.kvHeads, intermediate_size: d.ffn, rms_norm_eps: 1e-5, rope_theta: 10000,
    hidden_act: 'silu', max_position_embeddings: 2048, tie_word_embeddings: true,
  }
  return { name, config, shapes, loraTargets: ['q_proj', 'v_proj'], vocab: d.vocab }
}

export const benchCases: Record<CaseName, BenchCase> = {
  'gpt-5m': gpt2Case('gpt-5m', { vocab: 8000, positions: 256, embd: 256, layers: 4, heads: 4 }),
  'gpt2-100m': gpt2Case('gpt2-100m', { vocab: 32000, positions: 1024, embd: 768, layers: 12, heads: 12 }),
  'llama-100m': llamaCase('llama-100m', { vocab: 32000, hidden: 768, layers: 12, heads: 12, kvHeads: 4, ffn: 2048 }),
}

export function parameterCount(c: BenchCase): number {
  return Object.values(c.shapes).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0)
}

function initialValues(name: string, shape: number[], rng: () => number, std: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1)
  const isNorm = /norm|ln_\d|ln_f/.test(name)
  if (isNorm) return new Float32Array(n).fill(name.endsWith('.weight') ? 1 : 0)
  if (name.endsWith('.bias')) return new Float32Array(n)
  const values = new Float32Array(n)
  for (let i = 0; i < n; i++) values[i] = std * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  return values
}

/**
 * Writes the case's model folder under `root` (once: an existing folder from the same run is reused).
 * `std` 0.02 is GPT-2's; tiny checks use more, so that greedy generation does not repeat one token.
 */
export function writeCaseModel(c: BenchCase, root: string, seed = 1234, std = 0.02): string {
  const dir = path.join(root, c.name)
  const weightsFile = path.join(dir, 'model.safetensors')
  if (fs.existsSync(weightsFile)) return dir
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c.config, null, 2))
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: null, pad_token_id: 0 }))
  const rng = seededRng(seed)
  const entries: SafetensorsEntry[] = Object.entries(c.shapes).map(([name, shape]) => ({ name, dtype: 'F32', shape }))
  writeSafetensorsStreaming(weightsFile, entries, (name) => {
    const values = initialValues(name, c.shapes[name]!, rng, std)
    return new Uint8Array(values.buffer)
  })
  return dir
}

/** The training batch [B·T] and the generation prompt, seeded, shared by both engines through a file. */
export function benchInputs(c: BenchCase, seed = 99, shape: { batch: number; time: number } = trainShape): { ids: Int32Array; prompt: Int32Array } {
  const rng = seededRng(seed)
  const draw = (n: number) => Int32Array.from({ length: n }, () => 1 + Math.floor(rng() * (c.vocab - 1)))
  return { ids: draw(shape.batch * shape.time), prompt: draw(generateShape.promptTokens) }
}
