/**
 * What the "after" pane answers with. A finished run: its exported adapter (merged/ when training added
 * prompt/answer tokens). A running LoRA run: its latest
 * saved checkpoint (any of checkpoints/last, best, step-N, by step), when the model for it fits in the memory
 * the system has free next to the trainer; otherwise a problem the page explains.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { AfterModel } from '../../src-shared/chat'
import type { Config } from '../../src-shared/config'
import type { ModelRef } from '../../src-shared/inference-protocol'
import { estimateInferenceBytes, loraParameterCount, modelShape } from '../../src-shared/memory-fit'
import { UserError } from '../api/errors'
import { promptAnswerMarkers } from '../../src-shared/config/prompt-answer-tokens'
import type { History } from '../db'

export interface AfterModelContext {
  history: History
  experimentsDir: string
  /** Bytes of memory free now (os.freemem; tests force a low value). */
  freeMemory: () => number
}

export interface Checkpoint {
  dir: string
  step: number
}

const CHECKPOINT_FILES = ['trainable.safetensors', 'state.json']

/**
 * The checkpoint with the highest step under checkpoints/ (complete ones only: `.partial` folders are being
 * written). The inference child reads the step again with the weights, as last may be replaced meanwhile.
 */
export function latestCheckpoint(experimentDir: string): Checkpoint | null {
  const root = path.join(experimentDir, 'checkpoints')
  if (!fs.existsSync(root)) return null
  let latest: Checkpoint | null = null
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name)
    if (name.endsWith('.partial') || !CHECKPOINT_FILES.every((f) => fs.existsSync(path.join(dir, f)))) continue
    try {
      const { step } = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { step: number }
      // On a tie, a folder the trainer never rewrites (step-N, best) rather than last.
      const newer = !latest || step > latest.step || (step === latest.step && path.basename(latest.dir) === 'last')
      if (Number.isInteger(step) && newer) latest = { dir, step }
    } catch {
      // Replaced by the trainer while we read it: the next look finds the new one.
    }
  }
  return latest
}

function gigabytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`
}

export interface ResolvedAfterModel {
  info: AfterModel
  ref: ModelRef | null
}

function checkpointModel(context: AfterModelContext, experimentId: string, config: Config, modelDir: string): ResolvedAfterModel {
  const none = { step: null, epoch: null, neededBytes: null, freeBytes: null }
  if (!config.training.lora) return { info: { source: 'none', problem: 'notLora', ...none }, ref: null }
  const checkpoint = latestCheckpoint(path.join(context.experimentsDir, experimentId))
  if (!checkpoint) return { info: { source: 'none', problem: 'noCheckpointYet', ...none }, ref: null }
  const epoch = context.history.metrics.list(experimentId).find((m) => m.step === checkpoint.step)?.epoch ?? null
  let neededBytes: number | null = null
  try {
    const shape = modelShape(JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>)
    const tokens = config.tokenizer.max_length + config.prediction.max_length_inference
    neededBytes = estimateInferenceBytes(shape, tokens, loraParameterCount(shape, config.training.lora_r, config.training.lora_target_modules))
  } catch {
    // A family the estimate does not know: the inference child says clearly whether it can load it.
  }
  const freeBytes = context.freeMemory()
  const fits = neededBytes === null || neededBytes <= freeBytes
  return {
    info: { source: 'checkpoint', step: checkpoint.step, epoch, problem: fits ? null : 'lowMemory', neededBytes, freeBytes },
    ref: fits ? { modelDir, adapterDir: null, checkpoint } : null,
  }
}

export function resolveAfterModel(context: AfterModelContext, experimentId: string, config: Config, modelDir: string): ResolvedAfterModel {
  const none = { step: null, epoch: null, neededBytes: null, freeBytes: null }
  if (promptAnswerMarkers(config).length > 0) {
    // add_prompt_answer_tokens grew the vocabulary: backbone + adapter/ or a checkpoint cannot hold it; merged/ does.
    if (context.history.experiments.get(experimentId)?.status === 'running') return { info: { source: 'none', problem: 'addedTokens', ...none }, ref: null }
    const mergedDir = path.join(context.experimentsDir, experimentId, 'merged')
    if (fs.existsSync(path.join(mergedDir, 'config.json'))) return { info: { source: 'merged', problem: null, ...none }, ref: { modelDir: mergedDir, adapterDir: null } }
    return { info: { source: 'none', problem: 'noWeights', ...none }, ref: null }
  }
  if (context.history.experiments.get(experimentId)?.status === 'running') return checkpointModel(context, experimentId, config, modelDir)
  const adapterDir = path.join(context.experimentsDir, experimentId, 'adapter')
  if (fs.existsSync(path.join(adapterDir, 'adapter_config.json'))) {
    return { info: { source: 'adapter', step: null, epoch: null, problem: null, neededBytes: null, freeBytes: null }, ref: { modelDir, adapterDir } }
  }
  return { info: { source: 'none', step: null, epoch: null, problem: 'noWeights', neededBytes: null, freeBytes: null }, ref: null }
}

/** Why the after pane cannot answer, as an error whose code and sizes the page translates. */
export function afterProblemError(info: AfterModel): UserError {
  const sizes = { needed: gigabytes(info.neededBytes ?? 0), free: gigabytes(info.freeBytes ?? 0) }
  return new UserError(afterProblemMessage(info), info.problem ?? 'noWeights', info.problem === 'lowMemory' ? sizes : {})
}

function afterProblemMessage(info: AfterModel): string {
  switch (info.problem) {
    case 'noWeights':
      return 'This experiment has no fine-tuned weights yet (its adapter folder is missing): train it first, then chat with the result.'
    case 'noCheckpointYet':
      return 'This experiment is still training and has not saved a checkpoint yet (the first is saved at its first evaluation): wait for it, then ask again.'
    case 'notLora':
      return 'Chatting while training runs needs a LoRA experiment (this one trains every weight): wait until it finishes, then chat with the result.'
    case 'addedTokens':
      return 'This experiment adds prompt/answer tokens to the vocabulary, so only its final merged/ model can answer: wait until training finishes, then ask again.'
    case 'lowMemory':
      return `The model of the latest checkpoint needs about ${gigabytes(info.neededBytes ?? 0)} of memory, but only ${gigabytes(info.freeBytes ?? 0)} is free while training runs: wait until training finishes, or close other programs, then ask again.`
    default:
      return 'The fine-tuned model cannot answer now.'
  }
}
