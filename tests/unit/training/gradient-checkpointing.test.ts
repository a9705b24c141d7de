/**
 * Gradient checkpointing (architecture.gradient_checkpointing): the same loss and gradients as without it,
 * on every model family, with LoRA (dropout on, so the recomputation must replay the same masks) and full
 * fine-tuning; and a measured lower peak of tensor memory during one step of a deeper model on a long sequence.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../../../src-engine/models/registry'
import { causalLmLoss, nextTokenLabels } from '../../../src-engine/training/cross-entropy'
import { GradientCheckpointing, layerOfParameter } from '../../../src-engine/training/gradient-checkpointing'
import { fullTrainable, loraTrainable, type TrainableSet } from '../../../src-engine/training/trainable'
import { fixtureArchs, fixtureRoot, maxAbsDiff } from '../engine/helpers'
import { llamaShapes, randomWeights, tinyLlamaConfig, toStored, writeModelFolder } from '../engine/tiny-model'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointing-'))
beforeAll(async () => {
  // not useCpuBackend: its IS_TEST flag turns on a kernel leak check that the fused cross-entropy (a
  // customGrad that runs kernels inside) trips; the tensor count has its own test below
  await tf.setBackend('cpu')
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/**
 * The highest tf.memory().numBytes reached while tracking, seen at every allocation: a setter on the
 * engine's byte counter (tf.profile cannot be used: its timing wrapper breaks kernels that run kernels).
 */
function trackPeakBytes(): { bytes: number; startBytes: number; stop: () => void } {
  const state = tf.engine().state as unknown as { numBytes: number }
  let current = state.numBytes
  const result = { bytes: current, startBytes: current, stop: () => {
    delete (state as Partial<typeof state>).numBytes
    state.numBytes = current
  } }
  Object.defineProperty(state, 'numBytes', {
    configurable: true,
    get: () => current,
    set: (value: number) => {
      current = value
      result.bytes = Math.max(result.bytes, value)
    },
  })
  return result
}

interface StepResult {
  loss: number
  grads: Map<string, Float32Array>
  peakBytes: number
}

/** One training step's loss and gradients (with intermediate dropout through residualHook), and its peak tensor bytes. */
function step(dir: string, makeTrainable: () => TrainableSet, checkpointing: boolean, T: number): StepResult {
  const trainable = makeTrainable()
  const { model } = loadModel(dir, { makeLinear: trainable.factory })
  const B = 2
  const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % model.summary.vocabSize)
  const mask = [Array(T).fill(1), [...Array(T - 3).fill(1), 0, 0, 0]]
  const labels = nextTokenLabels(Int32Array.from(mask.flatMap((row, b) => row.map((m, t) => (m ? ids[b * T + t]! : -100)))), B, T)
  const variables = [...trainable.variables.values()]
  trainable.dropout.training = true
  trainable.dropout.setStepSeed(1234)
  const residualHook = (x: tf.Tensor) => tf.dropout(x, 0.2, undefined, trainable.dropout.next())
  const checkpointer = checkpointing ? new GradientCheckpointing(trainable.variables, trainable.dropout) : undefined
  let loss: number
  const grads = new Map<string, Float32Array>()
  const peak = trackPeakBytes()
  try {
    const { value, grads: g } = tf.variableGrads(() => {
      const logits = model.forward(tf.tensor2d(ids, [B, T], 'int32'), { attentionMask: mask, residualHook, ...(checkpointer ? { layerCheckpointer: checkpointer } : {}) })
      return causalLmLoss('TokenAveragedCrossEntropy', logits, labels)
    }, variables)
    loss = value.dataSync()[0]!
    for (const [name, v] of trainable.variables) grads.set(name, g[v.name]!.dataSync() as Float32Array)
    tf.dispose([value, ...Object.values(g)])
  } finally {
    checkpointer?.release()
    peak.stop()
  }
  model.dispose()
  return { loss, grads, peakBytes: peak.bytes - peak.startBytes }
}

function expectSame(a: StepResult, b: StepResult): void {
  expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5)
  expect([...b.grads.keys()]).toEqual([...a.grads.keys()])
  for (const [name, g] of a.grads) expect(maxAbsDiff(g, b.grads.get(name)!), name).toBeLessThan(1e-5)
}

describe('gradient checkpointing', () => {
  it('finds the layer of each parameter name in every family', () => {
    expect(layerOfParameter('transformer.h.3.attn.c_attn.lora_A.weight')).toBe(3)
    expect(layerOfParameter('gpt_neox.layers.12.mlp.dense_h_to_4h.weight')).toBe(12)
    expect(layerOfParameter('model.layers.0.self_attn.q_proj.bias')).toBe(0)
    expect(layerOfParameter('lm_head.weight')).toBeNull()
  })

  for (const arch of fixtureArchs) {
    const dir = path.join(fixtureRoot, 'models', arch)
    it(`${arch}: LoRA (dropout 0.1) gives the same loss and gradients, to 1e-5`, () => {
      const lora = () => loraTrainable({ r: 4, alpha: 8, useRslora: false, dropout: 0.1, targets: [] }, 5)
      const plain = step(dir, lora, false, 12)
      // LoRA B starts at zero, which would hide errors in A's gradient: give B values first
      const nonZeroB = () => {
        const set = lora()
        for (const [name, v] of set.variables) if (name.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 99))
        return set
      }
      expectSame(step(dir, nonZeroB, false, 12), step(dir, nonZeroB, true, 12))
      expectSame(plain, step(dir, lora, true, 12))
    })
    it(`${arch}: full fine-tuning gives the same loss and gradients, to 1e-5`, () => {
      const full = () => fullTrainable([], true)
      expectSame(step(dir, full, false, 10), step(dir, full, true, 10))
    })
  }

  it('leaks no tensors across steps', () => {
    const dir = path.join(fixtureRoot, 'models', 'llama')
    const lora = () => loraTrainable({ r: 4, alpha: 8, useRslora: false, dropout: 0.1, targets: [] }, 5)
    step(dir, lora, true, 8)
    const before = tf.memory().numTensors
    step(dir, lora, true, 8)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('lowers the peak tensor memory of a step (6 layers, 2 × 128 tokens)', { timeout: 180_000 }, () => {
    const dims = { vocab: 100, hidden: 64, layers: 6, heads: 4, kvHeads: 2, ffn: 128, tied: true }
    const shapes = llamaShapes(dims)
    const dir = path.join(tmp, 'deep-llama')
    writeModelFolder(dir, tinyLlamaConfig({ hidden_size: 64, intermediate_size: 128, num_hidden_layers: 6 }), toStored(randomWeights(shapes, 3), shapes))
    const lora = () => loraTrainable({ r: 4, alpha: 8, useRslora: false, dropout: 0.05, targets: [] }, 5)
    const without = step(dir, lora, false, 128)
    const withCheckpointing = step(dir, lora, true, 128)
    const mb = (n: number) => (n / 2 ** 20).toFixed(1)
    console.log(`gradient checkpointing, peak tensor memory of one LoRA step: ${mb(without.peakBytes)} MB without, ${mb(withCheckpointing.peakBytes)} MB with`)
    expectSame(without, withCheckpointing)
    // measured (cpu backend): 147.7 MB without, 27.5 MB with here; 375.4 vs 68.5 MB at 2 × 256 tokens, 1073.6 vs 191.7 MB at 2 × 512
    expect(withCheckpointing.peakBytes).toBeLessThan(without.peakBytes * 0.5)
  })
})
