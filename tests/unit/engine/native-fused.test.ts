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
import { hasFusedKernel } from '../../../src-engine/models/fused-ops'
import { loadModel } from '../../../src-engine/models/registry'
import { causalLmLoss, nextTokenLabels } from '../../../src-engine/training/cross-entropy'
import { Adam } from '../../../src-engine/training/optimizers/adam'
import { fullTrainable, loraTrainable, type TrainableSet } from '../../../src-engine/training/trainable'
import { fusedKernelCases } from '../../../scripts/bench/fused-kernel-cases'
import { compare, nativeUnavailable, useNativeBackend } from './native-helpers'
import { gpt2Shapes, randomWeights, toStored, writeModelFolder } from './tiny-model'

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

  /**
   * tfjs's test-mode leak check counts the tensors a customGrad forward saves for its gradient (the trainer's
   * loss saves its log-sum-exp and row weights, on every backend) as leaked; the loss cases turn it off and
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

  // The cases the WebGPU check runs too (scripts/bench/fused-kernel-cases.ts): GELU over its range, layer norm,
  // the loss with ignored labels and row weights, Adam and AdamW; values and gradients, native against cpu.
  it.each(fusedKernelCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const check = async () => {
      await compare(c.run, c.tolerance)
    }
    await (c.savesOwnTensors ? withoutLeakCheck(check) : check())
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
