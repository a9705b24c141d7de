/**
 * Export of a LoRA checkpoint as a PEFT adapter folder, loadable by PEFT and by lora/peft-adapter.ts:
 *   adapter_config.json       PEFT's LoraConfig fields;
 *   adapter_model.safetensors base_model.model.<module>.lora_A.weight [r, in], ….lora_B.weight [out, r].
 * The checkpoint holds Aᵀ [in, r] and Bᵀ [r, out], so both are transposed back here.
 * GPT-2's Conv1D modules are marked fan_in_fan_out (PEFT's flag for [in, out] base weights).
 */
import fs from 'node:fs'
import path from 'node:path'
import { writeSafetensors } from '../weights/safetensors'
import type { StoredTensor } from '../weights/stored-tensor'
import { readTrainable } from './checkpoint'

export interface AdapterExportInfo {
  baseModel: string
  modelType: string
  r: number
  alpha: number
  dropout: number
  useRslora: boolean
  /** The config's targets; empty: the suffixes of the modules that were wrapped. */
  targets: string[]
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!
  return out
}

function f32(data: Float32Array, shape: number[]): StoredTensor {
  return { dtype: 'F32', shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

const loraName = /^(.+)\.lora_([AB])\.weight$/

export function exportPeftAdapter(checkpointDir: string, outDir: string, info: AdapterExportInfo): { modules: string[] } {
  const trained = readTrainable(checkpointDir)
  const tensors: Record<string, StoredTensor> = {}
  const modules = new Set<string>()
  for (const [name, { shape, data }] of trained) {
    const match = loraName.exec(name)
    if (!match) continue // a layer trained in full (lora_unfreeze_layers): only the merged model holds it
    const [rows, cols] = shape as [number, number]
    modules.add(match[1]!)
    // held Aᵀ [in, r] → A [r, in]; Bᵀ [r, out] → B [out, r]
    tensors[`base_model.model.${name}`] = f32(transpose(data, rows, cols), [cols, rows])
  }
  if (modules.size === 0) throw new Error(`${checkpointDir} holds no LoRA tensor: only LoRA experiments export an adapter.`)
  const targets = info.targets.length > 0 ? info.targets : [...new Set([...modules].map((m) => m.split('.').at(-1)!))].sort()
  const config = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: info.baseModel,
    bias: 'none',
    fan_in_fan_out: info.modelType === 'gpt2',
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: info.alpha,
    lora_dropout: info.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: info.r,
    rank_pattern: {},
    revision: null,
    target_modules: targets,
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: info.useRslora,
  }
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(path.join(outDir, 'adapter_config.json'), `${JSON.stringify(config, null, 2)}\n`)
  writeSafetensors(path.join(outDir, 'adapter_model.safetensors'), tensors, { format: 'pt' })
  return { modules: [...modules] }
}
