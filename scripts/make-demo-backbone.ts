/**
 * Writes resources/demo-backbone/: a tiny GPT-2-shaped causal LM in Hugging Face format (config.json,
 * generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json) so that a fresh install
 * can run a whole experiment and a before/after chat with no download. It is a DEMO: its weights are
 * random (GPT-2's initialisation, seeded), so before fine-tuning it babbles; it learns the sample dataset.
 *
 * The tokenizer is byte-level BPE, as GPT-2's: every UTF-8 byte has a token, so any text (Japanese too)
 * encodes; the merges are learned here from scripts/demo-corpus.txt.
 * Run: npx tsx scripts/make-demo-backbone.ts   (deterministic: the same files every time)
 */
import fs from 'node:fs'
import path from 'node:path'
import { writeSafetensors } from '../src-engine/weights/safetensors'
import type { StoredTensor } from '../src-engine/weights/stored-tensor'

const root = path.resolve(import.meta.dirname, '..')
const outDir = path.join(root, 'resources', 'demo-backbone')
const corpus = fs.readFileSync(path.join(root, 'scripts', 'demo-corpus.txt'), 'utf8')

const MERGES = 768
const shape = { n_embd: 64, n_layer: 2, n_head: 4, n_positions: 512 }
const SEED = 20261128

// --- byte-level BPE -------------------------------------------------------------------------------

/** GPT-2's reversible map from bytes to printable characters (so every byte is a visible vocab entry). */
function bytesToUnicode(): string[] {
  const printable: number[] = []
  for (let b = 33; b <= 126; b++) printable.push(b)
  for (let b = 161; b <= 172; b++) printable.push(b)
  for (let b = 174; b <= 255; b++) printable.push(b)
  const map: string[] = new Array(256)
  let extra = 0
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++)
  return map
}

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu

function trainMerges(text: string, byteChars: string[], count: number): [string, string][] {
  const words = new Map<string, number>()
  for (const piece of text.match(GPT2_SPLIT) ?? []) {
    const mapped = [...new TextEncoder().encode(piece)].map((b) => byteChars[b]).join('\u0000')
    words.set(mapped, (words.get(mapped) ?? 0) + 1)
  }
  let symbols = [...words].map(([word, n]) => ({ parts: word.split('\u0000'), n }))
  const merges: [string, string][] = []
  while (merges.length < count) {
    const pairs = new Map<string, number>()
    for (const { parts, n } of symbols) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`
        pairs.set(key, (pairs.get(key) ?? 0) + n)
      }
    }
    let best: string | null = null
    let bestCount = 1 // a pair seen once teaches nothing
    for (const [key, n] of pairs) {
      if (n > bestCount || (n === bestCount && best !== null && key < best)) {
        best = key
        bestCount = n
      }
    }
    if (best === null) break
    const [left, right] = best.split('\u0000') as [string, string]
    merges.push([left, right])
    symbols = symbols.map(({ parts, n }) => {
      const merged: string[] = []
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === left && parts[i + 1] === right) {
          merged.push(left + right)
          i++
        } else merged.push(parts[i]!)
      }
      return { parts: merged, n }
    })
  }
  return merges
}

// --- weights ------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function makeNormal(seed: number): (std: number) => number {
  const uniform = mulberry32(seed)
  return (std) => {
    const u = Math.max(uniform(), 1e-12)
    return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform())
  }
}

function f32(shapeOf: number[], fill: (i: number) => number): StoredTensor {
  const n = shapeOf.reduce((a, b) => a * b, 1)
  const values = new Float32Array(n)
  for (let i = 0; i < n; i++) values[i] = fill(i)
  return { dtype: 'F32', shape: shapeOf, bytes: new Uint8Array(values.buffer) }
}

function gpt2Weights(vocabSize: number): Record<string, StoredTensor> {
  const normal = makeNormal(SEED)
  const d = shape.n_embd
  const std = 0.02
  // GPT-2 scales the residual projections by 1/sqrt(2 * n_layer) so deep stacks start stable.
  const residualStd = std / Math.sqrt(2 * shape.n_layer)
  const weights: Record<string, StoredTensor> = {
    'transformer.wte.weight': f32([vocabSize, d], () => normal(std)),
    'transformer.wpe.weight': f32([shape.n_positions, d], () => normal(0.01)),
    'transformer.ln_f.weight': f32([d], () => 1),
    'transformer.ln_f.bias': f32([d], () => 0),
  }
  for (let layer = 0; layer < shape.n_layer; layer++) {
    const p = `transformer.h.${layer}`
    Object.assign(weights, {
      [`${p}.ln_1.weight`]: f32([d], () => 1),
      [`${p}.ln_1.bias`]: f32([d], () => 0),
      [`${p}.attn.c_attn.weight`]: f32([d, 3 * d], () => normal(std)),
      [`${p}.attn.c_attn.bias`]: f32([3 * d], () => 0),
      [`${p}.attn.c_proj.weight`]: f32([d, d], () => normal(residualStd)),
      [`${p}.attn.c_proj.bias`]: f32([d], () => 0),
      [`${p}.ln_2.weight`]: f32([d], () => 1),
      [`${p}.ln_2.bias`]: f32([d], () => 0),
      [`${p}.mlp.c_fc.weight`]: f32([d, 4 * d], () => normal(std)),
      [`${p}.mlp.c_fc.bias`]: f32([4 * d], () => 0),
      [`${p}.mlp.c_proj.weight`]: f32([4 * d, d], () => normal(residualStd)),
      [`${p}.mlp.c_proj.bias`]: f32([d], () => 0),
    })
  }
  return weights
}

// --- files -----------------------------------------------------------------------------------------

const special = ['<|endoftext|>', '<|pad|>']
const byteChars = bytesToUnicode()
const merges = trainMerges(corpus, byteChars, MERGES)
const vocab: Record<string, number> = {}
for (const token of [...special, ...byteChars, ...merges.map(([a, b]) => a + b)]) {
  if (!(token in vocab)) vocab[token] = Object.keys(vocab).length
}
const vocabSize = Object.keys(vocab).length
const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true }

const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: special.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
  post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
  decoder: { type: 'ByteLevel', ...byteLevel },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    // "left right" strings: byte-level symbols never contain a space (it is Ġ), and every tokenizers version reads this form.
    merges: merges.map(([a, b]) => `${a} ${b}`),
  },
}

const config = {
  _name_or_path: 'finetune-studio/demo-tiny-gpt2',
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  activation_function: 'gelu_new',
  attn_pdrop: 0.0,
  embd_pdrop: 0.0,
  resid_pdrop: 0.0,
  bos_token_id: 0,
  eos_token_id: 0,
  pad_token_id: 1,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  n_ctx: shape.n_positions,
  n_embd: shape.n_embd,
  n_head: shape.n_head,
  n_inner: null,
  n_layer: shape.n_layer,
  n_positions: shape.n_positions,
  scale_attn_weights: true,
  tie_word_embeddings: true,
  torch_dtype: 'float32',
  use_cache: true,
  vocab_size: vocabSize,
}

fs.mkdirSync(outDir, { recursive: true })
const json = (name: string, value: unknown) => fs.writeFileSync(path.join(outDir, name), `${JSON.stringify(value, null, 2)}\n`)
json('config.json', config)
json('generation_config.json', { bos_token_id: 0, eos_token_id: 0, pad_token_id: 1, max_new_tokens: 64 })
json('tokenizer_config.json', {
  tokenizer_class: 'GPT2Tokenizer',
  bos_token: '<|endoftext|>',
  eos_token: '<|endoftext|>',
  pad_token: '<|pad|>',
  unk_token: '<|endoftext|>',
  model_max_length: shape.n_positions,
  add_prefix_space: false,
  clean_up_tokenization_spaces: false,
})
json('special_tokens_map.json', { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', pad_token: '<|pad|>', unk_token: '<|endoftext|>' })
fs.writeFileSync(path.join(outDir, 'tokenizer.json'), `${JSON.stringify(tokenizer)}\n`)
writeSafetensors(path.join(outDir, 'model.safetensors'), gpt2Weights(vocabSize), { format: 'pt' })
const params = Object.values(gpt2Weights(vocabSize)).reduce((n, t) => n + t.bytes.byteLength / 4, 0)
console.log(`demo backbone: vocab ${vocabSize} (${merges.length} merges), ${params} parameters → ${path.relative(root, outDir)}`)
