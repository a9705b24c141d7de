/**
 * Training checkpoints: a folder (checkpoints/last, checkpoints/best, checkpoints/step-N) holding
 *   trainable.safetensors  the trained tensors as held (LoRA Aᵀ [in, r], Bᵀ [r, out]; full: [in, out]),
 *                          named without the run prefix (e.g. transformer.h.0.attn.c_attn.lora_A.weight);
 *   optimizer.safetensors  the optimizer's exported state (optimizer-state-file.ts), same names;
 *   state.json             where the loop stands: batches done, optimizer steps, seed, evaluation and best
 *                          bookkeeping. Data order, dropout and token masking are functions of (seed, batch),
 *                          so these numbers are the whole RNG state.
 * Written to a temporary folder and renamed, so a crash never leaves a half-written checkpoint.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { optimizerStateFromTensors, optimizerStateToTensors } from './optimizers/optimizer-state-file'
import type { Optimizer, OptimizerState } from './optimizers/optimizer'
import { SafetensorsFile, writeSafetensors } from '../weights/safetensors'
import type { StoredTensor } from '../weights/stored-tensor'
import { UserError } from '../../src-shared/user-error'
import type { EngineToHost } from '../../src-shared/engine-protocol'

export interface LoopState {
  /** Batches consumed since the start (the next batch's global index). */
  batch: number
  /** Optimizer steps taken. */
  step: number
  seed: number
  /** Batch count at which the next evaluation is due. */
  nextEvalAt: number
  bestMetric: number | null
  bestStep: number | null
  /** Mode of the weights: checks a resume against the config. */
  lora: boolean
  /** The metrics sent since the previous checkpoint, sent again on resume (the host may not have stored them). */
  recentMetrics?: MetricsEvent[]
}

export type MetricsEvent = Extract<EngineToHost, { type: 'metrics' }>

export const TRAINABLE_FILE = 'trainable.safetensors'
export const OPTIMIZER_FILE = 'optimizer.safetensors'
export const STATE_FILE = 'state.json'

function stored(data: Float32Array, shape: number[]): StoredTensor {
  return { dtype: 'F32', shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

function renameKeys<T>(record: Record<string, T>, from: string, to: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.startsWith(from) ? to + k.slice(from.length) : k, v]))
}

export async function saveCheckpoint(dir: string, variables: ReadonlyMap<string, tf.Variable>, optimizer: Optimizer, prefix: string, state: LoopState): Promise<void> {
  const temporary = `${dir}.partial`
  fs.rmSync(temporary, { recursive: true, force: true })
  fs.mkdirSync(temporary, { recursive: true })
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, v] of variables) tensors[name] = stored(Float32Array.from((await v.data()) as Float32Array), [...v.shape])
  writeSafetensors(path.join(temporary, TRAINABLE_FILE), tensors, { format: 'finetune-studio-trainable' })
  const exported = await optimizer.exportState()
  const plain: OptimizerState = { ...exported, paramSteps: renameKeys(exported.paramSteps, prefix, ''), arrays: renameKeys(exported.arrays, prefix, '') }
  const { tensors: optimizerTensors, metadata } = optimizerStateToTensors(plain)
  writeSafetensors(path.join(temporary, OPTIMIZER_FILE), optimizerTensors, metadata)
  fs.writeFileSync(path.join(temporary, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.renameSync(temporary, dir)
}

export function hasCheckpoint(dir: string): boolean {
  return [TRAINABLE_FILE, OPTIMIZER_FILE, STATE_FILE].every((f) => fs.existsSync(path.join(dir, f)))
}

export function readLoopState(dir: string): LoopState {
  return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as LoopState
}

/** The trained tensors of a checkpoint, by name, as host arrays. */
export function readTrainable(dir: string): Map<string, { shape: number[]; data: Float32Array }> {
  const file = new SafetensorsFile(path.join(dir, TRAINABLE_FILE))
  const out = new Map<string, { shape: number[]; data: Float32Array }>()
  for (const name of file.names()) {
    const t = file.get(name)
    const bytes = Uint8Array.from(t.bytes)
    out.set(name, { shape: t.shape, data: new Float32Array(bytes.buffer, 0, bytes.byteLength / 4) })
  }
  return out
}

/** Puts a checkpoint's weights and optimizer state back into this run's variables and optimizer. */
export function loadCheckpoint(dir: string, variables: ReadonlyMap<string, tf.Variable>, optimizer: Optimizer, prefix: string): LoopState {
  if (!hasCheckpoint(dir)) throw new UserError(`There is no complete checkpoint in ${dir} to resume from: start the experiment again instead.`, 'noCheckpoint')
  const trained = readTrainable(dir)
  for (const [name, v] of variables) {
    const saved = trained.get(name)
    if (!saved) throw new UserError(`The checkpoint in ${dir} has no tensor ${name}: it was written with other LoRA or layer settings. Start a new experiment.`, 'checkpointMismatch', { tensor: name })
    if (saved.shape.join(',') !== v.shape.join(',')) throw new UserError(`The checkpoint's ${name} is ${JSON.stringify(saved.shape)} but this run's is ${JSON.stringify(v.shape)}: the settings changed since it was written.`, 'checkpointMismatch', { tensor: name })
    tf.tidy(() => {
      v.assign(tf.tensor(saved.data, v.shape, 'float32'))
    })
  }
  const file = new SafetensorsFile(path.join(dir, OPTIMIZER_FILE))
  const state = optimizerStateFromTensors(file, file.metadata)
  optimizer.importState({ ...state, paramSteps: renameKeys(state.paramSteps, '', prefix), arrays: Object.fromEntries(Object.entries(state.arrays).map(([k, v]) => [prefix + k, v])) })
  return readLoopState(dir)
}
