/** Cross-entropy on tiny logits whose softmax is worked out by hand. */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { causalLmLoss, IGNORE_INDEX, lossFunctionFromConfig, lossWeights, nextTokenLabels, tokenNegativeLogLikelihood, weightedCrossEntropy } from '../../../src-engine/training/cross-entropy'

const ln = Math.log
// B = 2, T = 2, V = 3.
//   row (0,0): logits [0, 0, 0]           softmax [1/3, 1/3, 1/3]  label 1 → nll ln 3
//   row (0,1): logits [0, ln 2, ln 5]     softmax [1/8, 2/8, 5/8]  label 2 → nll ln(8/5)
//   row (1,0): logits [0, ln 2, ln 5]     softmax [1/8, 2/8, 5/8]  label 0 → nll ln 8
//   row (1,1): logits [1, 2, 3]                                    label -100 → ignored
const logitValues = [0, 0, 0, 0, ln(2), ln(5), 0, ln(2), ln(5), 1, 2, 3]
const labels = Int32Array.from([1, 2, 0, IGNORE_INDEX])
const softmaxRows = [
  [1 / 3, 1 / 3, 1 / 3],
  [1 / 8, 2 / 8, 5 / 8],
  [1 / 8, 2 / 8, 5 / 8],
]

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend)
      await tf.ready()
    })
    afterAll(async () => {
      await tf.setBackend('cpu')
    })

    it('token-averaged: the mean over the three label tokens', () => {
      const logits = tf.tensor3d(logitValues, [2, 2, 3])
      const loss = causalLmLoss('TokenAveragedCrossEntropy', logits, labels)
      expect(loss.dataSync()[0]).toBeCloseTo((ln(3) + ln(8 / 5) + ln(8)) / 3, 5)
      tf.dispose([logits, loss])
    })

    it('sample-averaged: the mean per sample, then over samples', () => {
      const logits = tf.tensor3d(logitValues, [2, 2, 3])
      const loss = causalLmLoss('SampleAveragedCrossEntropy', logits, labels)
      expect(loss.dataSync()[0]).toBeCloseTo(((ln(3) + ln(8 / 5)) / 2 + ln(8)) / 2, 5)
      tf.dispose([logits, loss])
    })

    it('gradient: (softmax − oneHot) × weight, zero on ignored rows', () => {
      const logits = tf.tensor3d(logitValues, [2, 2, 3])
      const grad = tf.grad((x: tf.Tensor) => causalLmLoss('TokenAveragedCrossEntropy', x as tf.Tensor3D, labels))(logits)
      const g = grad.dataSync()
      const expected = [
        ...softmaxRows[0]!.map((p, v) => (p - (v === 1 ? 1 : 0)) / 3),
        ...softmaxRows[1]!.map((p, v) => (p - (v === 2 ? 1 : 0)) / 3),
        ...softmaxRows[2]!.map((p, v) => (p - (v === 0 ? 1 : 0)) / 3),
        0, 0, 0,
      ]
      expected.forEach((e, i) => expect(g[i]!, `element ${i}`).toBeCloseTo(e, 6))
      // sample-averaged: sample 0's two rows weigh 1/(2·2), sample 1's row 1/(1·2)
      const gs = tf.grad((x: tf.Tensor) => causalLmLoss('SampleAveragedCrossEntropy', x as tf.Tensor3D, labels))(logits).dataSync()
      expect(gs[1]!).toBeCloseTo((1 / 3 - 1) / 4, 6)
      expect(gs[6]!).toBeCloseTo((1 / 8 - 1) / 2, 6)
      tf.dispose([logits, grad])
    })

    it('agrees with autograd through the plain one-hot formula (an independent tf path)', () => {
      const [B, T, V] = [3, 5, 11]
      const logits = tf.randomNormal([B, T, V], 0, 3, 'float32', 42) as tf.Tensor3D
      const y = Int32Array.from({ length: B * T }, (_, i) => (i % 4 === 3 ? IGNORE_INDEX : (i * 7) % V))
      const weights = lossWeights('TokenAveragedCrossEntropy', y, B, T)
      const plain = (x: tf.Tensor): tf.Scalar =>
        tf.tidy(() => {
          const x2 = x.reshape([B * T, V])
          const oneHot = tf.oneHot(tf.tensor1d(y.map((v) => Math.max(v, 0)), 'int32'), V).cast('float32')
          const nll = tf.logSumExp(x2, 1).sub(x2.mul(oneHot).sum(1))
          return nll.mul(tf.tensor1d(weights)).sum() as tf.Scalar
        })
      const fusedGrad = tf.grad((x: tf.Tensor) => weightedCrossEntropy(x, y, weights))(logits).dataSync()
      const plainGrad = tf.grad(plain)(logits).dataSync()
      fusedGrad.forEach((g, i) => expect(g).toBeCloseTo(plainGrad[i]!, 6))
      const fusedValue = weightedCrossEntropy(logits, y, weights)
      const plainValue = plain(logits)
      expect(fusedValue.dataSync()[0]).toBeCloseTo(plainValue.dataSync()[0]!, 5)
      tf.dispose([logits, fusedValue, plainValue])
    })

    it('is stable for huge logits (logsumexp, not exp then log)', async () => {
      const logits = tf.tensor3d([1000, 0, -1000, 1000, 0, -1000], [1, 2, 3])
      const nll = await tokenNegativeLogLikelihood(logits, Int32Array.from([0, 1]))
      expect(nll[0]).toBeCloseTo(0, 5)
      expect(nll[1]).toBeCloseTo(1000, 2)
      const grad = tf.grad((x: tf.Tensor) => causalLmLoss('TokenAveragedCrossEntropy', x as tf.Tensor3D, Int32Array.from([0, 1])))(logits)
      expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true)
      tf.dispose([logits, grad])
    })
  })
}

describe('labels and weights', () => {
  it('nextTokenLabels shifts left and ignores the last position', () => {
    expect(Array.from(nextTokenLabels(Int32Array.from([5, 6, 7, IGNORE_INDEX, 8, 9]), 2, 3))).toEqual([6, 7, IGNORE_INDEX, 8, 9, IGNORE_INDEX])
  })
  it('a batch with no label token gives loss 0 and no gradient', () => {
    const logits = tf.ones([1, 2, 3]) as tf.Tensor3D
    const none = Int32Array.from([IGNORE_INDEX, IGNORE_INDEX])
    const loss = causalLmLoss('TokenAveragedCrossEntropy', logits, none)
    expect(loss.dataSync()[0]).toBe(0)
    expect(Array.from(lossWeights('SampleAveragedCrossEntropy', none, 1, 2))).toEqual([0, 0])
    tf.dispose([logits, loss])
  })
  it('maps the tutorial name CrossEntropy to the token-averaged loss, and refuses unknown names', () => {
    expect(lossFunctionFromConfig('CrossEntropy')).toBe('TokenAveragedCrossEntropy')
    expect(lossFunctionFromConfig('SampleAveragedCrossEntropy')).toBe('SampleAveragedCrossEntropy')
    expect(() => lossFunctionFromConfig('Focal')).toThrow(/Unknown loss_function/)
  })
  it('refuses a label outside the vocabulary', () => {
    const logits = tf.zeros([1, 1, 3]) as tf.Tensor3D
    expect(() => causalLmLoss('TokenAveragedCrossEntropy', logits, Int32Array.from([3]))).toThrow(/outside the vocabulary/)
    logits.dispose()
  })
  it('leaks no tensors across 50 loss+gradient steps', () => {
    const logits = tf.randomNormal([2, 4, 7]) as tf.Tensor3D
    const y = Int32Array.from([1, 2, 3, IGNORE_INDEX, 4, 5, 6, 0])
    const step = (): void =>
      tf.tidy(() => {
        tf.grad((x: tf.Tensor) => causalLmLoss('SampleAveragedCrossEntropy', x as tf.Tensor3D, y))(logits)
      })
    step()
    const before = tf.memory().numTensors
    for (let i = 0; i < 50; i++) step()
    expect(tf.memory().numTensors).toBe(before)
    logits.dispose()
  })
})
