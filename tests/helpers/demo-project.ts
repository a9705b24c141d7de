/**
 * A project folder as a user of the `finetune-studio` command would have it: the demo backbone, the sample
 * CSV and a cfg.yaml with paths relative to the folder (2 epochs of 4 batches; LoRA r 4; BLEU at each epoch).
 */
import fs from 'node:fs'
import path from 'node:path'
import { repoRoot } from './cli'

/** The cfg.yaml; `trainingExtra` lines (two-space indented) go at the end of its training section. */
export function demoProjectYaml(experimentName: string, trainingExtra = ''): string {
  return `experiment_name: ${experimentName}
llm_backbone: backbone
dataset:
  train_dataframe: data/sample.csv
  validation_size: 0.2
  text_prompt_start: "<|prompt|>"
  text_answer_separator: "<|answer|>"
tokenizer:
  max_length_prompt: 48
  max_length_answer: 48
  max_length: 96
training:
  epochs: 2
  batch_size: 4
  learning_rate: 0.01
  lora_r: 4
  lora_alpha: 8
${trainingExtra}prediction:
  metric: BLEU
  num_beams: 1
  max_length_inference: 8
  min_length_inference: 4
  repetition_penalty: 1.0
environment:
  seed: 3
`
}

/** Writes the project into `project` (backbone/, data/sample.csv, cfg.yaml) and returns cfg.yaml's path. */
export function writeDemoProject(project: string, yaml: string): string {
  fs.mkdirSync(path.join(project, 'data'), { recursive: true })
  fs.cpSync(path.join(repoRoot, 'resources', 'demo-backbone'), path.join(project, 'backbone'), { recursive: true })
  fs.copyFileSync(path.join(repoRoot, 'resources', 'sample-data', 'instruction-sample.csv'), path.join(project, 'data', 'sample.csv'))
  fs.writeFileSync(path.join(project, 'cfg.yaml'), yaml)
  return path.join(project, 'cfg.yaml')
}
