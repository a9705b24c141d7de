/**
 * One bench mode on the project's engine, on whichever backend is current: the real loader, the real LoRA /
 * full fine-tuning factories, the real fused cross-entropy and AdamW, and the real generation (greedy, KV
 * cache). Each timed unit is one training step (forward, backward, optimizer update) or one generate call.
 *
 * Tensors are counted three times: when the process starts, after the warmup (optimizer slots now exist)
 * and after the timed steps (must equal the warmup count: no growth per step), and after everything is
 * disposed (must equal the start: nothing leaked).
 */
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import * as tf from '@tensorflow/tfjs'
import { generateIds } from '../../src-engine/generation'
import { loadModel } from '../../src-engine/models/registry'
import { causalLmLoss, nextTokenLabels } from '../../src-engine/training/cross-entropy'
import { createOptimizer } from '../../src-engine/training/optimizers/create-optimizer'
import { fullTrainable, loraTrainable, type TrainableSet } from '../../src-engine/training/trainable'
import { writeSafetensors } from '../../src-engine/weights/safetensors'
import type { StoredTensor } from '../../src-engine/weights/stored-tensor'
import { loraShape } from './cases'

export const benchModes = ['lora', 'full', 'generate'] as const
export type BenchMode = (typeof benchModes)[number]

/** Learning rate of both engines' AdamW (weight decay 0, torch's betas and eps). */
export const BENCH_LR = 1e-3

export interface ModeResult {
  /** Training: optimizer steps timed; generate: generate calls timed. */
  steps: number
  msPerStep: number
  /** CPU time of this process per step (user + system): steadier than wall time on a shared machine. */
  cpuMsPerStep: number
  tokensPerS: number
  /** Training: the loss of every step, warmup first (from the initial weights). */
  losses: number[]
  /** Generate: the greedy tokens of the timed call. */
  generated: number[]
  trainableParams: number
  tensors: { start: number; beforeTimed: number; afterTimed: number; end: number }
  /** MB of GPU buffers the backend holds after the timed steps (its pool keeps freed ones: a high-water mark); null off GPU. */
  gpuAllocatedMb: number | null
}

function gpuAllocatedMb(): number | null {
  const bytes = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU
  return typeof bytes === 'number' ? Math.round(bytes / (1 << 20)) : null
}

export interface ModeRequest {
  mode: BenchMode
  modelDir: string
  loraTargets: string[]
  /** [batch·time] token ids, one training batch. */
  ids: Int32Array
  batch: number
  time: number
  prompt: number[]
  newTokens: number
  warmup: number
  steps: number
  /** Where to write the LoRA factors' initial values (PEFT layout) for the PyTorch twin; null: do not. */
  dumpLoraTo: string | null
}

/** Wall milliseconds of each call, and the process's CPU milliseconds per call. */
async function timeSteps(count: number, run: () => Promise<void>): Promise<{ wall: number[]; cpuPerStep: number }> {
  const wall: number[] = []
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await run()
    wall.push(performance.now() - started)
  }
  const cpu = process.cpuUsage(cpuStart)
  return { wall, cpuPerStep: (cpu.user + cpu.system) / 1000 / Math.max(1, count) }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
}

/** The LoRA factors as PEFT stores them: A [r, in], B [out, r] (the engine holds both transposed). */
async function dumpLoraInit(trainable: TrainableSet, file: string): Promise<void> {
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, v] of trainable.variables) {
    const transposed = tf.tidy(() => v.transpose())
    const values = Float32Array.from((await transposed.data()) as Float32Array) // data(): WebGPU has no dataSync
    transposed.dispose()
    tensors[name] = { dtype: 'F32', shape: [v.shape[1]!, v.shape[0]!], bytes: new Uint8Array(values.buffer) }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  writeSafetensors(file, tensors)
}

export interface TrainingSteps {
  /** One optimizer step on the request's batch; returns its loss. */
  step: () => Promise<number>
  trainableParams: number
  dispose: () => void
}

/** The model, trainable set and AdamW of a lora/full request, and its training step. */
export async function prepareTraining(request: Pick<ModeRequest, 'mode' | 'modelDir' | 'loraTargets' | 'ids' | 'batch' | 'time' | 'dumpLoraTo'>): Promise<TrainingSteps> {
  const tied = true // every bench case ties its head to the embeddings: the head stays frozen in full fine-tuning
  const trainable = request.mode === 'lora'
    ? loraTrainable({ r: loraShape.r, alpha: loraShape.alpha, useRslora: false, dropout: 0, targets: request.loraTargets }, 42)
    : fullTrainable([], tied)
  const { model } = loadModel(request.modelDir, { makeLinear: trainable.factory })
  const variables = [...trainable.variables.values()]
  if (request.dumpLoraTo && request.mode === 'lora') await dumpLoraInit(trainable, request.dumpLoraTo)
  const optimizer = createOptimizer(variables, { optimizer: 'AdamW', learningRate: BENCH_LR, weightDecay: 0 })
  const { batch: B, time: T } = request
  const labels = nextTokenLabels(request.ids, B, T)
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => {
      const input = tf.tensor2d(request.ids, [B, T], 'int32')
      return causalLmLoss('TokenAveragedCrossEntropy', model.forward(input), labels)
    }, variables)
    optimizer.step(grads)
    const loss = (await value.data())[0]!
    tf.dispose([value, ...Object.values(grads)])
    return loss
  }
  const dispose = () => {
    optimizer.dispose()
    model.dispose()
  }
  return { step, trainableParams: variables.reduce((n, v) => n + v.size, 0), dispose }
}

async function runTraining(request: ModeRequest, start: number): Promise<ModeResult> {
  const training = await prepareTraining(request)
  const losses: number[] = []
  const step = async () => {
    losses.push(await training.step())
  }
  await timeSteps(request.warmup, step)
  const beforeTimed = tf.memory().numTensors
  const times = await timeSteps(request.steps, step)
  const afterTimed = tf.memory().numTensors
  const gpuMb = gpuAllocatedMb()
  training.dispose()
  const ms = mean(times.wall)
  const tokens = request.batch * request.time
  return {
    steps: request.steps, msPerStep: ms, cpuMsPerStep: times.cpuPerStep, tokensPerS: tokens / (ms / 1000), losses, generated: [],
    trainableParams: training.trainableParams,
    tensors: { start, beforeTimed, afterTimed, end: tf.memory().numTensors },
    gpuAllocatedMb: gpuMb,
  }
}

async function runGenerate(request: ModeRequest, start: number): Promise<ModeResult> {
  const { model } = loadModel(request.modelDir)
  const options = { eosTokenIds: [], padTokenId: 0 }
  let generated: number[] = []
  const call = async (maxNewTokens: number) => {
    generated = (await generateIds(model, [request.prompt], { ...options, maxNewTokens })).ids[0]!
  }
  for (let i = 0; i < request.warmup; i++) await call(8)
  const beforeTimed = tf.memory().numTensors
  const times = await timeSteps(request.steps, () => call(request.newTokens))
  const afterTimed = tf.memory().numTensors
  const gpuMb = gpuAllocatedMb()
  model.dispose()
  const ms = mean(times.wall)
  return {
    steps: request.steps, msPerStep: ms, cpuMsPerStep: times.cpuPerStep, tokensPerS: request.newTokens / (ms / 1000), losses: [], generated, trainableParams: 0,
    tensors: { start, beforeTimed, afterTimed, end: tf.memory().numTensors },
    gpuAllocatedMb: gpuMb,
  }
}

export async function runMode(request: ModeRequest): Promise<ModeResult> {
  const start = tf.memory().numTensors
  return request.mode === 'generate' ? runGenerate(request, start) : runTraining(request, start)
}
