/**
 * A PEFT LoRA adapter for the demo backbone with nonzero factors, written in PEFT's format: enough to make
 * the "after" model answer differently from the backbone without training (chat tests need one before the
 * trainer exists in the test's time budget).
 */
import fs from 'node:fs'
import path from 'node:path'
import { openHistory } from '../../src-main/db'
import { defaultConfig, setPath } from '../../src-shared/config'
import { DEMO_BACKBONE_ID } from '../../src-shared/demo'
import { writeSafetensors } from '../../src-engine/weights/safetensors'
import type { StoredTensor } from '../../src-engine/weights/stored-tensor'

function f32(shape: number[], fill: (i: number) => number): StoredTensor {
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i))
  return { dtype: 'F32', shape, bytes: new Uint8Array(values.buffer) }
}

export function writeDemoAdapter(dir: string, { layers = 2, hidden = 64, rank = 4 } = {}): void {
  fs.mkdirSync(dir, { recursive: true })
  const tensors: Record<string, StoredTensor> = {}
  for (let layer = 0; layer < layers; layer++) {
    const module = `base_model.model.transformer.h.${layer}.mlp.c_fc`
    tensors[`${module}.lora_A.weight`] = f32([rank, hidden], (i) => Math.sin(i * 0.37 + layer))
    tensors[`${module}.lora_B.weight`] = f32([4 * hidden, rank], (i) => Math.cos(i * 0.11 - layer))
  }
  writeSafetensors(path.join(dir, 'adapter_model.safetensors'), tensors)
  fs.writeFileSync(
    path.join(dir, 'adapter_config.json'),
    JSON.stringify({ peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: 'finetune-studio/demo-tiny-gpt2', r: rank, lora_alpha: 2 * rank, target_modules: ['c_fc'], fan_in_fan_out: true, use_rslora: false, bias: 'none' }),
  )
}

/**
 * An experiment on the demo backbone, answering exactly `answerTokens` tokens, with the adapter above in its
 * folder, recorded in the app's history under `home`: what the chat e2e tests start from. Returns its folder.
 */
export function seedDemoChatExperiment(home: string, name: string, answerTokens: number): { id: string; dir: string } {
  const history = openHistory(path.join(home, 'studio.db'))
  let config = defaultConfig()
  config = setPath(config, 'llm_backbone', DEMO_BACKBONE_ID)
  config = setPath(config, 'prediction.max_length_inference', answerTokens)
  config = setPath(config, 'prediction.min_length_inference', answerTokens)
  const experiment = history.experiments.create({ name, config, backbone: DEMO_BACKBONE_ID })
  history.close()
  const dir = path.join(home, 'experiments', experiment.id)
  writeDemoAdapter(path.join(dir, 'adapter'))
  return { id: experiment.id, dir }
}
