/**
 * The offline demo in one step: the bundled sample dataset imported (once), and an experiment on the
 * bundled demo backbone with settings that let a model that starts from random weights learn 20 rows in
 * about a minute on a CPU — then started. The settings are the trainer's learning test's: LoRA r 32 on every
 * projection and the output head (a random head's logits span only about ±1), answer-only loss, a constant
 * learning rate of 0.003.
 */
import path from 'node:path'
import { ConfigSchema, defaultConfig, generateExperimentName, type Config } from '../src-shared/config'
import { DEMO_BACKBONE_ID } from '../src-shared/demo'
import type { ExperimentSummary } from '../src-shared/entities'
import { createExperiment } from './api/create-experiment'
import type { AppServices } from './app'
import { packageRoot } from './package-root'

export const SAMPLE_DATASET = path.join('resources', 'sample-data', 'instruction-sample.csv')

export function demoConfig(datasetId: string, epochs: number): Config {
  const base = defaultConfig()
  return ConfigSchema.parse({
    ...base,
    experiment_name: `demo-${generateExperimentName()}`,
    llm_backbone: DEMO_BACKBONE_ID,
    dataset: { ...base.dataset, train_dataframe: datasetId, validation_strategy: 'automatic', validation_size: 0.1, mask_prompt_labels: true },
    tokenizer: { ...base.tokenizer, max_length_prompt: 64, max_length_answer: 64, max_length: 128 },
    training: {
      ...base.training,
      epochs,
      batch_size: 4,
      learning_rate: 0.003,
      schedule: 'Constant',
      lora_r: 32,
      lora_alpha: 64,
      lora_dropout: 0,
      lora_target_modules: 'c_attn,c_proj,c_fc,lm_head',
      evaluation_epochs: Math.max(1, Math.round(epochs / 4)),
    },
    prediction: { ...base.prediction, metric: 'BLEU', num_beams: 1, temperature: 0, max_length_inference: 48, min_length_inference: 1, repetition_penalty: 1 },
    environment: { ...base.environment, backend: 'auto', seed: 1 },
  })
}

/** FINETUNE_STUDIO_DEMO_EPOCHS shortens (or lengthens) the demo, e.g. for a quick look or a test. */
function defaultEpochs(): number {
  const fromEnv = Number(process.env.FINETUNE_STUDIO_DEMO_EPOCHS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 30
}

export async function setupDemo(app: Pick<AppServices, 'history' | 'layout' | 'datasets' | 'supervisor'>, epochs = defaultEpochs()): Promise<ExperimentSummary> {
  const csv = path.join(packageRoot(), SAMPLE_DATASET)
  const datasetId = app.history.datasets.list().find((d) => d.source === `file:${csv}`)?.id ?? (await app.datasets.importFile({ path: csv })).summary.id
  const experiment = createExperiment(app, demoConfig(datasetId, epochs))
  app.supervisor.start(experiment.id)
  return app.history.experiments.get(experiment.id)!
}
