/** Global-norm clipping (torch.nn.utils.clip_grad_norm_) and accumulation, with values worked out by hand. */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { GradientAccumulator, isOptimizerStep } from '../../../src-engine/training/gradient-accumulation'
import { clipByGlobalNorm, globalNorm } from '../../../src-engine/training/gradient-clipping'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const values = (t: tf.Tensor | undefined): number[] => Array.from(t!.dataSync())

describe('clipByGlobalNorm', () => {
  // ‖[3, 4]‖ = 5, ‖[12]‖ = 12, global √(25 + 144) = 13
  const make = (): tf.NamedTensorMap => ({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) })

  it('returns the global norm and scales by max_norm / (norm + 1e-6) when above', async () => {
    const grads = make()
    expect(await globalNorm(grads)).toBeCloseTo(13, 6)
    const { grads: clipped, totalNorm, clipped: didClip } = await clipByGlobalNorm(grads, 6.5)
    expect(totalNorm).toBeCloseTo(13, 6)
    expect(didClip).toBe(true)
    const c = 6.5 / (13 + 1e-6)
    expect(values(clipped.a)[0]).toBeCloseTo(3 * c, 6)
    expect(values(clipped.a)[1]).toBeCloseTo(4 * c, 6)
    expect(values(clipped.b)[0]).toBeCloseTo(12 * c, 6)
    expect(await globalNorm(clipped)).toBeCloseTo(6.5, 5)
    Object.values(grads).forEach((t) => t.dispose())
    Object.values(clipped).forEach((t) => t.dispose())
  })
  it('leaves gradients alone below max_norm and still reports the norm', async () => {
    const grads = make()
    const result = await clipByGlobalNorm(grads, 20)
    expect(result.clipped).toBe(false)
    expect(result.grads).toBe(grads)
    expect(result.totalNorm).toBeCloseTo(13, 6)
    Object.values(grads).forEach((t) => t.dispose())
  })
  it('at exactly max_norm torch still scales by 13/(13+1e-6) < 1', async () => {
    const grads = make()
    const result = await clipByGlobalNorm(grads, 13)
    expect(result.clipped).toBe(true)
    Object.values(grads).forEach((t) => t.dispose())
    Object.values(result.grads).forEach((t) => t.dispose())
  })
  it('leaks no tensors', async () => {
    const grads = make()
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) await clipByGlobalNorm(grads, 100)
    expect(tf.memory().numTensors).toBe(before)
    Object.values(grads).forEach((t) => t.dispose())
  })
  it('refuses a non-positive max norm', async () => {
    await expect(clipByGlobalNorm({}, 0)).rejects.toThrow(/gradient_clip/)
  })
})

describe('GradientAccumulator', () => {
  it('default: the mean over micro-batches (H2O: loss / grad_accumulation)', () => {
    const acc = new GradientAccumulator()
    const g1 = { w: tf.tensor1d([1, 2]) }
    const g2 = { w: tf.tensor1d([3, 6]) }
    acc.add(g1)
    acc.add(g2)
    expect(acc.count).toBe(2)
    const mean = acc.take()
    expect(values(mean.w)).toEqual([2, 4])
    expect(acc.count).toBe(0)
    ;[g1.w, g2.w, mean.w].forEach((t) => t?.dispose())
  })
  it('token-count weights give the gradient of the token mean over all micro-batches', () => {
    // per-token loss l = w·x, so d(mean l)/dw = mean x. Batch 1: x = [1, 2] (mean 1.5, 2 tokens);
    // batch 2: x = [3, 4, 5] (mean 4, 3 tokens). Over all five tokens the mean is 3.
    const acc = new GradientAccumulator()
    const g1 = { w: tf.scalar(1.5) }
    const g2 = { w: tf.scalar(4) }
    acc.add(g1, 2)
    acc.add(g2, 3)
    const out = acc.take()
    expect(values(out.w)[0]).toBeCloseTo(3, 6)
    ;[g1.w, g2.w, out.w].forEach((t) => t?.dispose())
  })
  it('holds no tensors after take() and does not grow across windows', () => {
    const acc = new GradientAccumulator()
    const g = { w: tf.ones([4, 4]) }
    const before = tf.memory().numTensors
    for (let window = 0; window < 10; window++) {
      for (let k = 0; k < 4; k++) acc.add(g)
      const mean = acc.take()
      mean.w!.dispose()
    }
    expect(tf.memory().numTensors).toBe(before)
    g.w.dispose()
  })
  it('refuses take() with nothing accumulated', () => {
    expect(() => new GradientAccumulator().take()).toThrow(/No gradients/)
  })
  it('steps at the end of each window and on the last batch', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => isOptimizerStep(i, 3))).toEqual([false, false, true, false, false, true, false])
    expect(isOptimizerStep(6, 3, true)).toBe(true)
    expect([0, 1].map((i) => isOptimizerStep(i, 1))).toEqual([true, true])
  })
})
