/**
 * The native backend's fused kernels (tanh GELU, layer norm, cross-entropy, Adam) against the composed tfjs ops
 * the cpu backend runs for the same calls: values and gradients, then whole GPT-2 training steps (gelu_new,
 * LoRA and full fine-tuning, the trainer's loss) within 1e-4 of the cpu backend with a flat tensor count.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activation, layerNorm } from '../../../src-engine/models/layers'
import { hasFusedKernel } from '../../../src-engine/models/fused-ops'
import { loadModel } from '../../../src-engine/models/registry'
import { causalLmLoss, IGNORE_INDEX, nextTokenLabels, tokenNegativeLogLikelihood, weightedCrossEntropy } from '../../../src-engine/training/cross-entropy'
import { Adam, AdamW } from '../../../src-engine/training/optimizers/adam'
import { fullTrainable, loraTrainable, type TrainableSet } from '../../../src-engine/training/trainable'
import { compare, nativeUnavailable, randomTensor, useNativeBackend } from './native-helpers'
import { gpt2Shapes, randomWeights, toStored, writeModelFolder } from './tiny-model'

const close = (v: number) => 1e-5 * (1 + Math.abs(v))

describe.skipIf(nativeUnavailable)('native fused kernels equal the composed ops on cpu', () => {
  let tmp = ''
  beforeAll(async () => {
    await useNativeBackend()
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'native-fused-'))
  })
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

  it('are registered on native only', async () => {
    const x = tf.zeros([2])
    expect(hasFusedKernel('geluTanh', x)).toBe(true)
    expect(hasFusedKernel('geluTanh', x.toInt())).toBe(false) // float32 only
    await tf.setBackend('cpu')
    expect(hasFusedKernel('layerNorm', x)).toBe(false)
    await tf.setBackend('native')
  })

  it('tanh GELU and its gradient, over the whole range', async () => {
    const gelu = activation('gelu_new')
    const x = () => randomTensor([7, 301], 1).mul(tf.linspace(-6, 6, 301))
    await compare(() => [gelu(x()), tf.grad((t: tf.Tensor) => gelu(t).mul(randomTensor([7, 301], 2)).sum())(x())], close)
  })

  it('layer norm and its gradients for x, weight and bias', async () => {
    const x = () => randomTensor([3, 5, 40], 3).mul(randomTensor([3, 5, 1], 4)).add(7)
    const w = () => randomTensor([40], 5) as tf.Tensor1D
    const b = () => randomTensor([40], 6) as tf.Tensor1D
    const loss = (t: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor) => layerNorm(t, wt as tf.Tensor1D, bt as tf.Tensor1D, 1e-5).mul(randomTensor([3, 5, 40], 7)).sum()
    await compare(() => [layerNorm(x(), w(), b(), 1e-5), ...tf.grads(loss)([x(), w(), b()])], (v) => 1e-4 * (1 + Math.abs(v)))
  })

  /**
   * tfjs's test-mode leak check counts the tensors a customGrad forward saves for its gradient (the trainer's
   * loss saves its log-sum-exp and row weights, on every backend) as leaked; the loss tests turn it off and
   * count tensors themselves.
   */
  const withoutLeakCheck = async (fn: () => Promise<void>) => {
    tf.env().set('IS_TEST', false)
    try {
      await fn()
    } finally {
      tf.env().set('IS_TEST', true)
    }
  }

  it('cross-entropy value and gradient with ignored labels and per-row weights; per-token NLL', async () => {
    const logits = () => randomTensor([2, 5, 37], 8).mul(6)
    const labels = Int32Array.from([3, IGNORE_INDEX, 36, 0, 12, IGNORE_INDEX, IGNORE_INDEX, 5, 9, 1])
    const weights = Float32Array.from(labels, (y, i) => (y === IGNORE_INDEX ? 0 : 0.1 + i / 20))
    await withoutLeakCheck(async () => {
      await compare(() => {
        const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => weightedCrossEntropy(x, labels, weights).mul(3))([logits()])
        return [value, ...grads]
      }, close)
      await compare(async () => tf.tensor1d(await tokenNegativeLogLikelihood(logits(), labels)), close)
    })
  })

  it.each([
    ['Adam with L2 weight decay', (vars: tf.Variable[]) => new Adam(vars, { lr: 3e-2, weightDecay: 0.1 })],
    ['AdamW', (vars: tf.Variable[]) => new AdamW(vars, { lr: 3e-2, betas: [0.8, 0.99], eps: 1e-6 })],
  ])('%s: parameters and slots after three fused updates equal the composed ones', async (_, make) => {
    await compare(async () => {
      const vars = [tf.variable(randomTensor([5, 33], 30)), tf.variable(randomTensor([33], 31))]
      const optimizer = make(vars)
      for (let step = 0; step < 3; step++) {
        optimizer.step(Object.fromEntries(vars.map((v, i) => [v.name, randomTensor(v.shape, 40 + step * 2 + i).mul(step + 1)])))
      }
      const state = await optimizer.exportState()
      const out = [...vars.map((v) => v.clone()), ...Object.values(state.arrays).map((a) => tf.tensor(a.data, a.shape))]
      optimizer.dispose()
      tf.dispose(vars)
      return out
    }, (v) => 1e-6 * (1 + Math.abs(v)))
  })

  /** Losses of Adam steps on a gelu_new GPT-2 with the trainer's trainable sets and loss. */
  async function gpt2Losses(backend: string, trainable: () => TrainableSet, steps: number): Promise<{ losses: number[]; tensors: number[] }> {
    await tf.setBackend(backend)
    const dir = path.join(tmp, 'gpt2')
    const shapes = gpt2Shapes({ vocab: 100, positions: 32, embd: 24, layers: 2, inner: 40 })
    if (!fs.existsSync(dir)) {
      writeModelFolder(dir, { model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 100, n_positions: 32, n_embd: 24, n_layer: 2, n_head: 3, n_inner: 40, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5 }, toStored(randomWeights(shapes, 11), shapes))
    }
    const set = trainable()
    const { model } = loadModel(dir, { makeLinear: set.factory })
    const variables = [...set.variables.values()]
    const optimizer = new Adam(variables, { lr: 1e-2 })
    const ids = Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 37 + 5) % 100)
    const labels = nextTokenLabels(ids, 2, 12)
    const losses: number[] = []
    const tensors: number[] = []
    for (let step = 0; step < steps; step++) {
      const { value, grads } = tf.variableGrads(() => causalLmLoss('TokenAveragedCrossEntropy', model.forward(tf.tensor2d(ids, [2, 12], 'int32')), labels), variables)
      losses.push(value.dataSync()[0]!)
      optimizer.step(grads)
      tf.dispose([value, ...Object.values(grads)])
      tensors.push(tf.memory().numTensors)
    }
    optimizer.dispose()
    model.dispose()
    tf.dispose(variables)
    return { losses, tensors }
  }

  it.each([
    ['LoRA on c_attn', () => loraTrainable({ r: 4, alpha: 8, useRslora: false, dropout: 0, targets: ['c_attn'] }, 1)],
    ['full fine-tuning', () => fullTrainable([], true)],
  ])('GPT-2 (gelu_new) %s: losses equal the cpu backend within 1e-4, tensor count flat', async (name, trainable) => {
    let cpu = { losses: [] as number[], tensors: [] as number[] }
    let native = cpu
    await withoutLeakCheck(async () => {
      cpu = await gpt2Losses('cpu', trainable, 4)
      native = await gpt2Losses('native', trainable, 4)
    })
    console.log(`[native] GPT-2 ${name} losses ${native.losses.map((l) => l.toFixed(6)).join(' ')} (cpu ${cpu.losses.map((l) => l.toFixed(6)).join(' ')})`)
    expect(native.losses[3]).toBeLessThan(native.losses[0]!)
    native.losses.forEach((loss, i) => expect(Math.abs(loss - cpu.losses[i]!)).toBeLessThanOrEqual(1e-4))
    expect(new Set(native.tensors).size).toBe(1)
  })
})
