/**
 * A PEFT LoRA adapter folder: adapter_config.json + adapter_model.safetensors, with PEFT's tensor names
 * (base_model.model.<module>.lora_A.weight [r, in], ….lora_B.weight [out, r]) and scaling
 * (lora_alpha / r, or lora_alpha / √r when use_rslora; rank_pattern / alpha_pattern per module).
 *
 * GPT-2's Conv1D modules (fan_in_fan_out: true): PEFT's lora_A / lora_B are still nn.Linear layers of
 * [r, in] and [out, r], so the forward pass is the same; fan_in_fan_out only transposes a merged delta.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { readJsonFile, type RawConfig } from '../models/config'
import type { LinearFactory } from '../models/linear'
import { SafetensorsFile } from '../weights/safetensors'
import { toFloat32, type StoredTensor } from '../weights/stored-tensor'
import { LoraLinear } from './lora-linear'

export interface AdapterModule {
  a: StoredTensor // [r, in]
  b: StoredTensor // [out, r]
  rank: number
  scale: number
}

export interface PeftAdapter {
  dir: string
  config: RawConfig
  /** Module name (as in the base checkpoint) → its LoRA factors. */
  modules: Map<string, AdapterModule>
  /** Wrap a base factory so that every module of the adapter becomes a LoraLinear. */
  wrap(base: LinearFactory): LinearFactory
  /** Modules the adapter has that the model never asked for (a sign of a mismatched base model). */
  unmatched(): string[]
}

const peftName = /^base_model\.model\.(.+)\.lora_([AB])(?:\.[A-Za-z0-9_-]+)?\.weight$/

/** PEFT matches pattern keys against the end of a module name. */
function patternValue(patterns: unknown, module: string): number | undefined {
  if (typeof patterns !== 'object' || patterns === null) return undefined
  for (const [key, value] of Object.entries(patterns as Record<string, unknown>)) {
    if (typeof value === 'number' && (module === key || module.endsWith(`.${key}`) || new RegExp(`(^|\\.)${key}$`).test(module))) return value
  }
  return undefined
}

export function loraScale(alpha: number, rank: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(rank) : alpha / rank
}

export function loadPeftAdapter(dir: string): PeftAdapter {
  if (!fs.existsSync(dir)) throw new Error(`Missing adapter folder: ${dir}.`)
  const config = readJsonFile(path.join(dir, 'adapter_config.json'), 'the PEFT adapter configuration')
  const where = path.join(dir, 'adapter_config.json')
  const peftType = String(config.peft_type ?? 'LORA')
  if (peftType !== 'LORA') throw new Error(`${where}: peft_type "${peftType}" is not supported (only LORA).`)
  if (config.use_dora === true) throw new Error(`${where}: DoRA adapters (use_dora) are not supported.`)
  if (config.bias !== undefined && config.bias !== 'none') throw new Error(`${where}: bias "${String(config.bias)}" is not supported (only "none").`)
  const file = path.join(dir, 'adapter_model.safetensors')
  if (!fs.existsSync(file)) {
    const bin = fs.existsSync(path.join(dir, 'adapter_model.bin')) ? ' (adapter_model.bin is there: re-save the adapter with safe_serialization=True)' : ''
    throw new Error(`Missing file: ${file}${bin}.`)
  }
  const weights = new SafetensorsFile(file)
  const pairs = new Map<string, { a?: StoredTensor; b?: StoredTensor }>()
  for (const name of weights.names()) {
    const match = peftName.exec(name)
    if (!match) continue
    const module = match[1]!
    const entry = pairs.get(module) ?? {}
    entry[match[2] === 'A' ? 'a' : 'b'] = weights.get(name)
    pairs.set(module, entry)
  }
  if (pairs.size === 0) throw new Error(`${file} has no LoRA tensors (expected names like base_model.model.<module>.lora_A.weight).`)
  const defaultRank = Number(config.r ?? 8)
  const defaultAlpha = Number(config.lora_alpha ?? 8)
  const useRslora = config.use_rslora === true
  const modules = new Map<string, AdapterModule>()
  for (const [module, { a, b }] of pairs) {
    if (!a || !b) throw new Error(`${file}: module "${module}" has lora_${a ? 'A' : 'B'} but no lora_${a ? 'B' : 'A'}.`)
    const rank = patternValue(config.rank_pattern, module) ?? defaultRank
    const alpha = patternValue(config.alpha_pattern, module) ?? defaultAlpha
    if (a.shape.length !== 2 || a.shape[0] !== rank) {
      throw new Error(`${file}: shape mismatch for tensor "base_model.model.${module}.lora_A.weight": expected [${rank}, in] (r=${rank}), found ${JSON.stringify(a.shape)}.`)
    }
    if (b.shape.length !== 2 || b.shape[1] !== rank) {
      throw new Error(`${file}: shape mismatch for tensor "base_model.model.${module}.lora_B.weight": expected [out, ${rank}] (r=${rank}), found ${JSON.stringify(b.shape)}.`)
    }
    modules.set(module, { a, b, rank, scale: loraScale(alpha, rank, useRslora) })
  }
  const matched = new Set<string>()
  return {
    dir,
    config,
    modules,
    unmatched: () => [...modules.keys()].filter((m) => !matched.has(m)),
    wrap: (base) => (weights) => {
      const linear = base(weights)
      const m = modules.get(weights.name)
      if (!m) return linear
      matched.add(weights.name)
      const [inF, outF] = [linear.inFeatures, linear.outFeatures]
      if (m.a.shape[1] !== inF) throw new Error(`${file}: shape mismatch for tensor "base_model.model.${weights.name}.lora_A.weight": expected [${m.rank}, ${inF}], found ${JSON.stringify(m.a.shape)}.`)
      if (m.b.shape[0] !== outF) throw new Error(`${file}: shape mismatch for tensor "base_model.model.${weights.name}.lora_B.weight": expected [${outF}, ${m.rank}], found ${JSON.stringify(m.b.shape)}.`)
      const aT = tf.tidy(() => tf.tensor2d(toFloat32(m.a), [m.rank, inF]).transpose() as tf.Tensor2D)
      const bT = tf.tidy(() => tf.tensor2d(toFloat32(m.b), [outF, m.rank]).transpose() as tf.Tensor2D)
      return new LoraLinear(linear, aT, bT, m.scale)
    },
  }
}
