/**
 * Cross-field checks: rules no single field's range can express. Each says what to change. They run on a
 * Config that already passed the schema; `context` carries what the Config alone does not know.
 */
import type { ConfigIssue } from './issues'
import { issue } from './issues'
import type { Config } from './schema'

export interface CheckContext {
  /** Whether Settings has an OpenAI-compatible endpoint; undefined = unknown (the CLI), check skipped. */
  openAiEndpointConfigured?: boolean
  /** Rows of the training data, when known (after sampling is not applied: the raw file's rows). */
  trainRows?: number
  /** Saving an experiment needs training data; checking a file on its own does not. */
  requireTrainData?: boolean
}

/** LoRA's update is scaled by alpha/r (alpha/sqrt(r) with rsLoRA); outside this band training misbehaves. */
export const LORA_SCALE_BAND = { min: 0.25, max: 16 } as const

/** Rows the automatic split holds out: validation_size of them, at least one (CONFIG.md). */
export function automaticValidationRows(trainRows: number, validationSize: number): number {
  return Math.max(1, Math.round(trainRows * validationSize))
}

type Check = (config: Config, context: CheckContext) => ConfigIssue[]

const sequenceLengths: Check = ({ tokenizer: t }) => {
  const sum = t.max_length_prompt + t.max_length_answer
  if (t.max_length < t.max_length_prompt) {
    return [issue('error', 'tokenizer.max_length', 'maxLengthBelowPrompt', { maxLength: t.max_length, maxLengthPrompt: t.max_length_prompt, sum })]
  }
  if (t.max_length < sum) {
    return [issue('warning', 'tokenizer.max_length', 'maxLengthBelowSum', { maxLength: t.max_length, maxLengthPrompt: t.max_length_prompt, maxLengthAnswer: t.max_length_answer, sum })]
  }
  return []
}

const dataSources: Check = ({ dataset: d }, context) => {
  const issues: ConfigIssue[] = []
  if (context.requireTrainData && d.train_dataframe.trim() === '') issues.push(issue('error', 'dataset.train_dataframe', 'trainDataframeMissing'))
  if (d.validation_strategy === 'custom' && d.validation_dataframe === null) issues.push(issue('error', 'dataset.validation_dataframe', 'validationDataframeMissing'))
  return issues
}

const trainingRows: Check = ({ dataset: d, training }, { trainRows }) => {
  if (trainRows === undefined) return []
  const validationRows = d.validation_strategy === 'automatic' ? automaticValidationRows(trainRows, d.validation_size) : 0
  const rows = trainRows - validationRows
  if (rows < 1) return [issue('error', 'dataset.validation_size', 'validationLeavesNoTrain', { rows: trainRows, validationRows })]
  if (training.drop_last_batch && rows < training.batch_size) {
    return [issue('error', 'training.batch_size', 'tooFewRowsForBatch', { rows, batchSize: training.batch_size })]
  }
  return []
}

const schedule: Check = ({ training }) =>
  training.warmup_epochs > 0 && training.warmup_epochs >= training.epochs
    ? [issue('warning', 'training.warmup_epochs', 'warmupBeyondEpochs', { warmupEpochs: training.warmup_epochs, epochs: training.epochs })]
    : []

const lora: Check = ({ training }) => {
  if (!training.lora) return []
  const scale = training.lora_alpha / (training.use_rslora ? Math.sqrt(training.lora_r) : training.lora_r)
  const params = { alpha: training.lora_alpha, r: training.lora_r, scale: Number(scale.toPrecision(3)), min: LORA_SCALE_BAND.min, max: LORA_SCALE_BAND.max }
  if (scale > LORA_SCALE_BAND.max) return [issue('warning', 'training.lora_alpha', 'loraScaleLarge', params)]
  if (scale < LORA_SCALE_BAND.min) return [issue('warning', 'training.lora_alpha', 'loraScaleSmall', params)]
  return []
}

const generation: Check = ({ prediction: p }) => {
  const issues: ConfigIssue[] = []
  if (p.temperature > 0 && !p.do_sample) issues.push(issue('warning', 'prediction.temperature', 'temperatureWithoutSampling', { temperature: p.temperature }))
  if (p.num_beams > 1 && p.do_sample) issues.push(issue('error', 'prediction.num_beams', 'beamsWithSampling', { numBeams: p.num_beams }))
  if (p.min_length_inference > p.max_length_inference) {
    issues.push(issue('error', 'prediction.min_length_inference', 'minLengthAboveMax', { min: p.min_length_inference, max: p.max_length_inference }))
  }
  return issues
}

const judge: Check = ({ prediction }, { openAiEndpointConfigured }) =>
  prediction.metric === 'OpenAI API' && openAiEndpointConfigured === false ? [issue('error', 'prediction.metric', 'openAiEndpointMissing')] : []

const checks: readonly Check[] = [sequenceLengths, dataSources, trainingRows, schedule, lora, generation, judge]

export function crossFieldIssues(config: Config, context: CheckContext = {}): ConfigIssue[] {
  return checks.flatMap((check) => check(config, context))
}
