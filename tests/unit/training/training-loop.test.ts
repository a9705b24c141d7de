/**
 * The pieces together in the flat loop DESIGN.md asks for (batch → loss → grads → clip → step → log), on a
 * tiny bigram language model: embedding E [V, D] and head W [D, V], learning "the next token is t + 1 mod V".
 * Checks that they compose: the loss falls, the tensor count stays flat, and a run resumed from exported
 * state (weights, optimizer, schedule position) equals an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { causalLmLoss, nextTokenLabels } from '../../../src-engine/training/cross-entropy'
import { GradientAccumulator, isOptimizerStep } from '../../../src-engine/training/gradient-accumulation'
import { clipByGlobalNorm } from '../../../src-engine/training/gradient-clipping'
import { learningRateAt, scheduleSteps } from '../../../src-engine/training/lr-schedule'
import { createOptimizer, type OptimizerName } from '../../../src-engine/training/optimizers/create-optimizer'
import type { OptimizerState } from '../../../src-engine/training/optimizers/optimizer'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const V = 12
const D = 8
const T = 6
const B = 2
const batchesPerEpoch = 4

/** Batch k: B sequences of T tokens counting up mod V from different starts. */
function batch(k: number): { ids: Int32Array; labels: Int32Array } {
  const ids = new Int32Array(B * T)
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) ids[b * T + t] = (k * 5 + b * 3 + t) % V
  return { ids, labels: nextTokenLabels(ids, B, T) }
}

function initialWeights(): { E: Float32Array; W: Float32Array } {
  let s = 12345
  const random = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 - 0.5
  }
  return { E: Float32Array.from({ length: V * D }, random), W: Float32Array.from({ length: D * V }, random) }
}

interface Checkpoint {
  E: Float32Array
  W: Float32Array
  optimizer: OptimizerState
  batchIndex: number
}

/** Runs batches [from, to) of the flat loop; returns the losses and a checkpoint at `to`. */
async function train(optimizerName: OptimizerName, epochs: number, from: number, to: number, resume?: Checkpoint) {
  const start = resume ?? { ...initialWeights(), batchIndex: 0 }
  const E = tf.variable(tf.tensor2d(start.E, [V, D]), true, 'embed.weight')
  const W = tf.variable(tf.tensor2d(start.W, [D, V]), true, 'lm_head.weight')
  const optimizer = createOptimizer([E, W], { optimizer: optimizerName, learningRate: 0.05, weightDecay: 0.01 })
  if (resume) optimizer.importState(resume.optimizer)
  const { totalSteps, warmupSteps } = scheduleSteps(epochs, 0.5, batchesPerEpoch)
  const accumulator = new GradientAccumulator()
  const gradAccumulation = 2
  const losses: number[] = []
  const tensorCounts: number[] = []
  for (let k = from; k < to; k++) {
    // batch
    const { ids, labels } = batch(k % batchesPerEpoch)
    // loss + grads
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.gather(E, tf.tensor1d(ids, 'int32')) // [B·T, D]
      const logits = x.matMul(W).reshape([B, T, V]) as tf.Tensor3D
      return causalLmLoss('TokenAveragedCrossEntropy', logits, labels)
    }, [E, W])
    losses.push(value.dataSync()[0]!)
    accumulator.add(grads)
    tf.dispose([value, ...Object.values(grads)])
    if (isOptimizerStep(k % batchesPerEpoch, gradAccumulation, k % batchesPerEpoch === batchesPerEpoch - 1)) {
      const mean = accumulator.take()
      // clip
      const clipped = await clipByGlobalNorm(mean, 1.0)
      // step, at the schedule's rate for this batch (H2O advances the schedule every batch)
      optimizer.setLearningRateFactor(learningRateAt('Cosine', { step: k, totalSteps, warmupSteps, baseLr: 1, minLrRatio: 0.1 }))
      optimizer.step(clipped.grads)
      tf.dispose(Object.values(mean))
      if (clipped.clipped) tf.dispose(Object.values(clipped.grads))
      // log (after a step the accumulator is empty: the count is comparable from step to step)
      tensorCounts.push(tf.memory().numTensors)
    }
  }
  const checkpoint: Checkpoint = { E: Float32Array.from(E.dataSync()), W: Float32Array.from(W.dataSync()), optimizer: await optimizer.exportState(), batchIndex: to }
  optimizer.dispose()
  accumulator.dispose()
  E.dispose()
  W.dispose()
  return { losses, tensorCounts, checkpoint }
}

describe('flat training loop on a tiny bigram model', () => {
  it('AdamW: the loss falls well below a uniform guess and the tensor count stays flat', async () => {
    const epochs = 40
    const { losses, tensorCounts } = await train('AdamW', epochs, 0, epochs * batchesPerEpoch)
    // ln V = 2.48 is the loss of a uniform guess; the mapping is deterministic and a D = 8 embedding
    // separates 12 tokens, so the model can get near 0. 0.3 leaves room for the floor of the schedule.
    expect(losses[0]!).toBeGreaterThan(2)
    expect(losses.at(-1)!).toBeLessThan(0.3)
    // after the first optimizer step has created the state, nothing accumulates
    const steady = tensorCounts.slice(1)
    expect(steady.length).toBeGreaterThan(50)
    expect(Math.max(...steady)).toBe(Math.min(...steady))
  })

  for (const name of ['AdamW', 'SGD', 'AdamW8bit'] as const) {
    it(`${name}: resuming from exported weights, optimizer state and batch index equals an uninterrupted run`, async () => {
      const epochs = 5
      const total = epochs * batchesPerEpoch
      const uninterrupted = await train(name, epochs, 0, total)
      const firstHalf = await train(name, epochs, 0, 8)
      const secondHalf = await train(name, epochs, 8, total, structuredClone(firstHalf.checkpoint))
      expect([...firstHalf.losses, ...secondHalf.losses]).toEqual(uninterrupted.losses)
      expect(secondHalf.checkpoint.W).toEqual(uninterrupted.checkpoint.W)
      expect(secondHalf.checkpoint.E).toEqual(uninterrupted.checkpoint.E)
    })
  }
})
