/**
 * The 'native' backend end to end: the four hf-reference models match transformers on it (logits within the
 * fixture's 1e-4), it starts through the backend ladder, and LoRA training steps give the cpu backend's losses
 * within 1e-4 with a flat tensor count.
 */
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { chooseBackend } from '../../../src-engine/backend'
import { LoraLinear } from '../../../src-engine/lora/lora-linear'
import { DenseLinear, type LinearFactory } from '../../../src-engine/models/linear'
import { causalLmLoss } from '../../../src-engine/models/loss'
import { loadModel } from '../../../src-engine/models/registry'
import { fixtureRoot } from './helpers'
import { describeHfReference } from './hf-reference-suite'
import { nativeUnavailable, useNativeBackend } from './native-helpers'

describe.skipIf(nativeUnavailable)('native backend', () => {
  describeHfReference('native', useNativeBackend)

  it('starts through the ladder and says what it runs on', async () => {
    const chosen = await chooseBackend('native')
    expect(chosen.backend).toBe('native')
    expect(chosen.device).toMatch(/^CPU \(native kernels, .+, \d+ threads?\)$/)
    expect(tf.getBackend()).toBe('native')
  })

  /** Losses of a few Adam steps on LoRA factors of every attention projection of the llama fixture. */
  async function trainingLosses(backend: string, steps: number): Promise<{ losses: number[]; tensors: number[] }> {
    await tf.setBackend(backend)
    const factors: tf.Variable[] = []
    const makeLinear: LinearFactory = (w) => {
      const base = new DenseLinear(w)
      if (!/self_attn\.(q|k|v|o)_proj$/.test(w.name)) return base
      const aT = tf.tensor2d(Array.from({ length: base.inFeatures * 4 }, (_, i) => Math.sin(i + factors.length) * 0.1), [base.inFeatures, 4])
      const b = tf.variable(tf.zeros([4, base.outFeatures]))
      factors.push(b)
      return new LoraLinear(base, aT, b as unknown as tf.Tensor2D, 2)
    }
    const { model } = loadModel(path.join(fixtureRoot, 'models', 'llama'), { makeLinear })
    const ids = tf.tensor2d([[1, 45, 78, 5, 89, 77, 74, 87, 74, 12, 33], [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]], [2, 11], 'int32')
    const optimizer = tf.train.adam(1e-2)
    const losses: number[] = []
    const tensors: number[] = []
    for (let step = 0; step < steps; step++) {
      const loss = optimizer.minimize(() => causalLmLoss(model.forward(ids), ids), true, factors)!
      losses.push((await loss.data())[0]!)
      loss.dispose()
      tensors.push(tf.memory().numTensors)
    }
    optimizer.dispose()
    tf.dispose([ids, ...factors])
    model.dispose()
    return { losses, tensors }
  }

  it('LoRA training steps equal the cpu backend within 1e-4, with a flat tensor count', async () => {
    await useNativeBackend()
    const cpu = await trainingLosses('cpu', 5)
    const native = await trainingLosses('native', 5)
    console.log(`[native] losses ${native.losses.map((l) => l.toFixed(6)).join(' ')} (cpu ${cpu.losses.map((l) => l.toFixed(6)).join(' ')})`)
    expect(native.losses[4]).toBeLessThan(native.losses[0]!) // it learns
    native.losses.forEach((loss, i) => expect(Math.abs(loss - cpu.losses[i]!)).toBeLessThanOrEqual(1e-4))
    expect(new Set(native.tensors.slice(1)).size).toBe(1)
  })
})
