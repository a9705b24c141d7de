/**
 * The backend ladder's override and the wasm shims: the UnsortedSegmentSum kernel (gather gradient) and the
 * transpose-first BatchMatMul, checked against sums and products worked out directly.
 */
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, resolveBackendChoice } from '../../../src-engine/backend'
import { loadModel } from '../../../src-engine/models/registry'
import { fixtureRoot, maxAbsDiff, type Reference } from './helpers'
import fs from 'node:fs'

describe('backend choice', () => {
  it('FINETUNE_STUDIO_BACKEND overrides the requested backend; a bad value lists the valid ones', () => {
    expect(resolveBackendChoice('auto', {})).toBe('auto')
    expect(resolveBackendChoice('auto', { FINETUNE_STUDIO_BACKEND: 'cpu' })).toBe('cpu')
    expect(() => resolveBackendChoice('auto', { FINETUNE_STUDIO_BACKEND: 'cuda' })).toThrow(/FINETUNE_STUDIO_BACKEND="cuda" is not a backend\. Use one of: auto, tensorflow, webgpu, wasm, cpu/)
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
})
