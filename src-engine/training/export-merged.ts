/**
 * Export of the fine-tuned model as a Hugging Face model folder: the backbone's files (config.json,
 * generation_config.json, tokenizer files) and one model.safetensors in which every trained module's
 * weights are replaced —
 *   LoRA:  W' = W + scale·ΔW, ΔW = Aᵀ·Bᵀ [in, out] as held (stored [out, in] for nn.Linear: transposed;
 *          GPT-2's Conv1D stores [in, out]: added as is);
 *   full:  the trained weights and biases; trained embedding tables (force_embedding_gradients) as held.
 * Untouched tensors are copied with their dtype; replaced ones are written F32 (TensorFlow.js computes in
 * float32). A LoRA on a head tied to the embeddings unties it: lm_head.weight is written and config.json
 * gets tie_word_embeddings false. Written one tensor at a time (writeSafetensorsStreaming).
 * tokenizer.add_prompt_answer_tokens: the token embedding and an untied head have N more rows (trained,
 * or the backbone's grown by mean rows as in training), and export-added-tokens.ts rewrites the files.
 */
import fs from 'node:fs'
import path from 'node:path'
import { openModelWeights } from '../weights'
import { writeSafetensorsStreaming, type SafetensorsEntry } from '../weights/safetensors'
import { toFloat32, type StoredTensor } from '../weights/stored-tensor'
import { readTrainable } from './checkpoint'
import { isEmbeddingParameter } from './trainable'
import { growRows, isOutputHead, isTokenEmbedding } from '../models/grow-vocabulary'
import type { AddedToken } from '../tokenizers/added-special-tokens'
import { writeAddedTokens } from './export-added-tokens'

export interface MergeInfo {
  modelType: string
  /** LoRA scale (alpha/r or alpha/√r); ignored for full fine-tuning. */
  loraScale: number
  /** tokenizer.add_prompt_answer_tokens: the tokens added (those with isNew have new embedding rows). */
  addedTokens?: readonly AddedToken[]
}

const weightFiles = /(\.safetensors|\.bin|\.pt|\.pth|\.safetensors\.index\.json|\.bin\.index\.json)$/

export function exportMergedModel(backboneDir: string, checkpointDir: string, outDir: string, info: MergeInfo): { replaced: string[]; notes: string[] } {
  const trained = readTrainable(checkpointDir)
  const source = openModelWeights(backboneDir)
  const extraRows = (info.addedTokens ?? []).filter((t) => t.isNew).length
  const vocabTable = (name: string) => extraRows > 0 && (isTokenEmbedding(name) || isOutputHead(name.replace(/\.weight$/, '')))
  /** A backbone tensor as float32; a vocabulary table grown by the added rows. */
  const baseFloat32 = (name: string): Float32Array => {
    const stored = source.get(name)
    const data = toFloat32(stored)
    return vocabTable(name) ? growRows(data, stored.shape[0]!, stored.shape[1]!, extraRows) : data
  }
  const conv1d = info.modelType === 'gpt2'
  /** Stored layout of a module's weight: [in, out] (Conv1D) or [out, in] (nn.Linear). */
  const storedInOut = (module: string) => conv1d && module !== 'lm_head'
  const replacements = new Map<string, StoredTensor>()
  const f32 = (data: Float32Array, shape: number[]): StoredTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) })
  /** Held [in, out] → the stored layout. */
  const toStored = (module: string, held: Float32Array, inF: number, outF: number): { data: Float32Array; shape: number[] } => {
    if (storedInOut(module)) return { data: held, shape: [inF, outF] }
    const out = new Float32Array(held.length)
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) out[o * inF + i] = held[i * outF + o]!
    return { data: out, shape: [outF, inF] }
  }
  let untie = false
  const tiedSource = (module: string): string | null => {
    if (module !== 'lm_head' || source.has('lm_head.weight')) return null
    return ['transformer.wte.weight', 'wte.weight', 'model.embed_tokens.weight', 'gpt_neox.embed_in.weight'].find((n) => source.has(n)) ?? null
  }
  for (const [name, { shape, data }] of trained) {
    const lora = /^(.+)\.lora_A\.weight$/.exec(name)
    if (lora) {
      const module = lora[1]!
      const b = trained.get(`${module}.lora_B.weight`)
      if (!b) throw new Error(`${checkpointDir}: ${name} has no lora_B partner.`)
      const [inF, r] = shape as [number, number]
      const outF = b.shape[1]!
      // ΔW [in, out] = scale · Aᵀ [in, r] · Bᵀ [r, out]
      const delta = new Float32Array(inF * outF)
      for (let i = 0; i < inF; i++) {
        for (let k = 0; k < r; k++) {
          const aik = data[i * r + k]! * info.loraScale
          if (aik === 0) continue
          for (let o = 0; o < outF; o++) delta[i * outF + o]! += aik * b.data[k * outF + o]!
        }
      }
      const stored = toStored(module, delta, inF, outF)
      const tied = tiedSource(module)
      const baseName = tied ?? `${module}.weight`
      const base = baseFloat32(baseName)
      if (base.length !== stored.data.length) throw new Error(`Cannot merge ${module}: the backbone's ${baseName} has ${base.length} values, the adapter's update ${stored.data.length}.`)
      for (let j = 0; j < base.length; j++) stored.data[j]! += base[j]!
      replacements.set(`${module}.weight`, f32(stored.data, stored.shape))
      if (tied) untie = true
      continue
    }
    if (/\.lora_B\.weight$/.test(name)) continue
    const full = /^(.+)\.(weight|bias)$/.exec(name)
    if (!full) throw new Error(`${checkpointDir}: unexpected trained tensor ${name}.`)
    if (full[2] === 'bias' || isEmbeddingParameter(name)) {
      replacements.set(name, f32(data, shape))
    } else {
      const [inF, outF] = shape as [number, number]
      const stored = toStored(full[1]!, data, inF, outF)
      replacements.set(name, f32(stored.data, stored.shape))
      if (tiedSource(full[1]!)) untie = true
    }
  }
  let vocabSize = 0
  for (const name of source.names()) {
    if (!vocabTable(name)) continue
    const stored = source.get(name)
    vocabSize = stored.shape[0]! + extraRows
    if (!replacements.has(name)) replacements.set(name, f32(baseFloat32(name), [vocabSize, stored.shape[1]!]))
  }
  fs.mkdirSync(outDir, { recursive: true })
  for (const file of fs.readdirSync(backboneDir)) {
    const from = path.join(backboneDir, file)
    if (weightFiles.test(file) || !fs.statSync(from).isFile()) continue
    fs.copyFileSync(from, path.join(outDir, file))
  }
  if (untie) {
    const configFile = path.join(outDir, 'config.json')
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>
    fs.writeFileSync(configFile, `${JSON.stringify({ ...config, tie_word_embeddings: false }, null, 2)}\n`)
  }
  const notes = extraRows > 0 ? writeAddedTokens(outDir, info.addedTokens!, vocabSize) : []
  const names = [...new Set([...source.names(), ...replacements.keys()])]
  const entries: SafetensorsEntry[] = names.map((name) => {
    const t = replacements.get(name) ?? source.get(name)
    return { name, dtype: t.dtype, shape: t.shape }
  })
  writeSafetensorsStreaming(path.join(outDir, 'model.safetensors'), entries, (name) => (replacements.get(name) ?? source.get(name)).bytes, { format: 'pt' })
  return { replaced: [...replacements.keys()], notes }
}
