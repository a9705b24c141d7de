/**
 * The backend ladder's override and the wasm shims: the UnsortedSegmentSum kernel (gather gradient) and the
 * transpose-first BatchMatMul, checked against sums and products worked out directly.
 */
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, resolveBackendChoice } from '../../../src-engine/backend'
import { LoraLinear } from '../../../src-engine/lora/lora-linear'
import { DenseLinear, type LinearFactory } from '../../../src-engine/models/linear'
import { causalLmLoss } from '../../../src-engine/models/loss'
import { loadModel } from '../../../src-engine/models/registry'
import { fixtureRoot, maxAbsDiff, type Reference } from './helpers'
import fs from 'node:fs'

describe('backend choice', () => {
  it('FINETUNE_STUDIO_BACKEND overrides the requested backend; a bad value lists the valid ones', () => {
    expect(resolveBackendChoice('auto', {})).toBe('auto')
    expect(resolveBackendChoice('auto', { FINETUNE_STUDIO_BACKEND: 'cpu' })).toBe('cpu')
    expect(() => resolveBackendChoice('auto', { FINETUNE_STUDIO_BACKEND: 'cuda' })).toThrow(/FINETUNE_STUDIO_BACKEND="cuda" is not a backend\. Use one of: auto, tensorflow, webgpu, native, wasm, cpu/)
  })

  it('an explicitly requested backend that cannot start is a clear error', async () => {
    await expect(chooseBackend('tensorflow')).rejects.toThrow(/"tensorflow" backend was requested .* could not start: tensorflow: .*tfjs-node/)
  })
})

describe('wasm backend', () => {
  beforeAll(async () => {
    const chosen = await chooseBackend('wasm')
    expect(chosen.backend).toBe('wasm')
  })

  it('has an UnsortedSegmentSum kernel: the gradient of gather sums rows by index', async () => {
    // d/dE sum(gather(E, [1, 3, 1]) · W) = rows 1 += W0 + W2, row 3 += W1, others 0
    const E = tf.zeros([4, 2])
    const W = tf.tensor2d([[1, 2], [3, 4], [5, 6]])
    const grad = tf.grad((e: tf.Tensor) => tf.gather(e, tf.tensor1d([1, 3, 1], 'int32')).mul(W).sum())(E)
    expect(Array.from(await grad.data())).toEqual([0, 0, 6, 8, 0, 0, 3, 4])
    const direct = tf.unsortedSegmentSum(tf.tensor2d([[1, 1], [2, 2], [4, 4]]), tf.tensor1d([2, 0, 2], 'int32'), 3)
    expect(Array.from(await direct.data())).toEqual([2, 2, 0, 0, 5, 5])
  })

  it('BatchMatMul with transposed operands equals the product of transposes', async () => {
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]) // [[1,2,3],[4,5,6]]
    const b = tf.tensor3d([1, 0, 2, 1, 0, 3], [1, 2, 3]) // [[1,0,2],[1,0,3]]
    // a · bᵀ = [[1+0+6, 1+0+9], [4+0+12, 4+0+18]]
    expect(Array.from(await tf.matMul(a, b, false, true).data())).toEqual([7, 10, 16, 22])
    // aᵀ · b = 3×3: row i = a[0][i]·b[0] + a[1][i]·b[1]
    expect(Array.from(await tf.matMul(a, b, true, false).data())).toEqual([5, 0, 14, 7, 0, 19, 9, 0, 24])
  })

  it('the llama fixture matches transformers on wasm too', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(fixtureRoot, 'ref', 'llama.json'), 'utf8')) as Reference
    const ids = ref.inputs[1]!.input_ids
    const { model } = loadModel(path.join(fixtureRoot, 'models', 'llama'))
    const logits = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')))
    const diff = maxAbsDiff(await logits.data(), ref.forward[1]!.logits.flat())
    console.log(`[wasm] llama max |logits − ref| ${diff.toExponential(2)}`)
    expect(diff).toBeLessThanOrEqual(1e-4)
    logits.dispose()
    model.dispose()
  })

  it('the forward pass is differentiable on wasm: the gradient of a LoRA factor matches a central difference', async () => {
    let factor: tf.Variable | null = null
    const makeLinear: LinearFactory = (w) => {
      const base = new DenseLinear(w)
      if (w.name !== 'model.layers.1.self_attn.v_proj') return base
      const aT = tf.tensor2d(Array.from({ length: base.inFeatures * 2 }, (_, i) => Math.sin(i) * 0.2), [base.inFeatures, 2])
      factor = tf.variable(tf.zeros([2, base.outFeatures]))
      return new LoraLinear(base, aT, factor as unknown as tf.Tensor2D, 2)
    }
    const { model } = loadModel(path.join(fixtureRoot, 'models', 'llama'), { makeLinear })
    const ids = tf.tensor2d([[1, 45, 78, 5, 89, 77, 74, 87, 74]], [1, 9], 'int32')
    const lossAt = (values: tf.Tensor) => {
      factor!.assign(values)
      return tf.tidy(() => causalLmLoss(model.forward(ids), ids).dataSync()[0]!)
    }
    const { value, grads } = tf.variableGrads(() => causalLmLoss(model.forward(ids), ids), [factor!])
    const g = (await grads[factor!.name]!.data()) as Float32Array
    let k = 0
    g.forEach((v, i) => Math.abs(v) > Math.abs(g[k]!) && (k = i))
    const eps = 1e-2
    const bump = (d: number) => tf.tidy(() => tf.zeros([g.length]).add(tf.oneHot([k], g.length).reshape([g.length]).mul(d)).reshape(factor!.shape))
    const plus = bump(eps)
    const minus = bump(-eps)
    const numeric = (lossAt(plus) - lossAt(minus)) / (2 * eps)
    expect(Math.abs(g[k]!)).toBeGreaterThan(1e-3)
    expect(Math.abs(numeric - g[k]!) / Math.abs(g[k]!)).toBeLessThan(0.02)
    tf.dispose([value, ...Object.values(grads), plus, minus, ids])
    model.dispose()
  })
})
