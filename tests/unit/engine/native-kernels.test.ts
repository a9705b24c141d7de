/**
 * Each native kernel against the plain-JS cpu backend on the same random inputs: odd shapes, every transpose
 * combination, broadcasts on either side, reductions over leading, middle and trailing axes, slices, splits and
 * concatenations along every axis. Tolerance: matmul
 * within 1e-5·(1 + K) absolute (float32 sums in another order), elementwise within 2e-6·(1 + |x|).
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerNativeBackend } from '../../../src-engine/native/backend-native'
import { compare, nativeAddon, nativeUnavailable, randomTensor } from './native-helpers'

const elementwise = (x: number) => 2e-6 * (1 + Math.abs(x))

describe.skipIf(nativeUnavailable)('native kernels equal the cpu backend', () => {
  beforeAll(async () => {
    tf.env().set('IS_TEST', true)
    registerNativeBackend()
    await tf.setBackend('native')
  })

  const products: [number[], number[]][] = [
    [[7, 19], [19, 33]], [[1, 13], [13, 50]], [[13, 300], [300, 5]], [[145, 257], [257, 70]], [[2, 3, 9, 31], [2, 3, 31, 17]],
    [[3, 5, 7], [7, 4]], [[5, 7], [3, 7, 4]], [[1, 5, 7], [3, 7, 4]], [[4, 1, 64], [4, 64, 40]],
  ]
  for (const scalar of [false, true]) {
    it.each(products)(`matMul %j · %j, every transpose (${scalar ? 'scalar' : 'SIMD'} micro-kernel)`, async (aShape, bShape) => {
      nativeAddon().setScalar(scalar)
      const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!]
      const k = aShape[aShape.length - 1]!
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          await compare(() => tf.matMul(randomTensor(ta ? swap(aShape) : aShape, 1), randomTensor(tb ? swap(bShape) : bShape, 2), ta, tb), () => 1e-5 * (1 + k))
        }
      }
      nativeAddon().setScalar(false)
    })
  }

  it('fused matMul with bias and each activation', async () => {
    for (const activation of ['linear', 'relu', 'elu', 'sigmoid', 'relu6', 'leakyrelu'] as const) {
      await compare(() => tf.fused.matMul({ a: randomTensor([9, 20], 3), b: randomTensor([20, 11], 4), bias: randomTensor([11], 5), activation, leakyreluAlpha: 0.1 }), () => 1e-4)
    }
  })

  it('binary ops with broadcasting on either side, scalars and size-1 axes', async () => {
    const pairs: [number[], number[]][] = [[[4, 5], [4, 5]], [[4, 5], [5]], [[5], [3, 4, 5]], [[3, 1, 5], [4, 1]], [[], [2, 3]], [[2, 3], []], [[2, 1, 3, 1], [1, 4, 1, 6]], [[1], [7]]]
    for (const [as, bs] of pairs) {
      await compare(() => [tf.add, tf.sub, tf.mul, tf.div, tf.squaredDifference].map((op) => op(randomTensor(as, 6), randomTensor(bs, 7))), elementwise)
      await compare(() => [tf.pow(randomTensor(as, 8).abs().add(0.1), randomTensor(bs, 9)), tf.pow(randomTensor(as, 8), tf.scalar(3)), tf.pow(randomTensor(as, 8), tf.scalar(2))], (x) => 1e-5 * (1 + Math.abs(x)))
    }
  })

  it('unary ops, including exp, tanh and sigmoid over their whole range', async () => {
    const wide = () => randomTensor([1000], 10).mul(50)
    const near0 = () => randomTensor([1000], 11).mul(1e-3)
    for (const x of [wide, near0, () => randomTensor([3, 17], 12)]) {
      await compare(() => [tf.exp(x()), tf.tanh(x()), tf.sigmoid(x()), tf.neg(x()), tf.square(x()), tf.relu(x()), tf.abs(x()), tf.erf(x())], (v) => 4e-6 * (1e-30 + Math.abs(v)) + 1e-7)
      await compare(() => [tf.log(x().abs().add(1e-3)), tf.sqrt(x().abs()), tf.rsqrt(x().abs().add(1e-3))], (v) => 2e-6 * (1 + Math.abs(v)))
    }
  })

  it('exp keeps NaN and infinities', async () => {
    await compare(() => tf.exp(tf.tensor1d([NaN, Infinity, -Infinity, 88.7, 89, -87, -100, -120, 0])), (v) => 4e-6 * Math.abs(v) + 1e-44)
  })

  it('sum, mean and max over trailing, leading, middle and all axes', async () => {
    const x = () => randomTensor([3, 4, 5, 6], 13)
    for (const axis of [-1, 0, 1, [1, 2], [0, 1], [2, 3], [0, 1, 2, 3], [0, 2]]) {
      for (const keep of [false, true]) {
        await compare(() => [x().sum(axis, keep), x().mean(axis, keep), x().max(axis, keep)], (v) => 1e-5 * (1 + Math.abs(v)))
      }
    }
  })

  it('transpose by every permutation of a rank-3 tensor and a rank-4 attention layout', async () => {
    for (const perm of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
      await compare(() => randomTensor([3, 5, 7], 14).transpose(perm), () => 0)
    }
    await compare(() => randomTensor([2, 9, 4, 8], 15).transpose([0, 2, 1, 3]), () => 0)
  })

  it('slice, split and concat along every axis, with size-1 and empty parts, and their gradients', async () => {
    const x = () => randomTensor([3, 5, 7], 23)
    await compare(() => [x().slice([1, 0, 2], [2, 5, 3]), x().slice([0, 2, 0], [3, 1, 7]), x().slice([2, 4, 6], [1, 1, 1]), x().slice([0, 1], [-1, 3])], () => 0)
    for (const axis of [0, 1, 2, -1]) {
      await compare(() => tf.split(x(), axis === 0 ? 3 : [1, axis === 1 ? 4 : 6], axis), () => 0)
      await compare(() => tf.concat([x(), randomTensor([3, 5, 7], 24), x().slice([0, 0, 0], [axis === 0 ? 1 : 3, axis === 1 ? 2 : 5, axis === 2 || axis === -1 ? 4 : 7])], axis), () => 0)
    }
    await compare(() => tf.concat([tf.zeros([2, 0]), randomTensor([2, 3], 25), randomTensor([2, 1], 26)], 1), () => 0)
    const qkv = () => randomTensor([2, 4, 12], 27)
    await compare(() => tf.grad((t: tf.Tensor) => tf.split(t, 3, 2).map((p, i) => p.mul(i + 1).square().sum()).reduce((a, b) => a.add(b)))(qkv()), elementwise)
  })

  it('the copy primitive refuses a view that reaches outside its arrays', () => {
    const addon = nativeAddon()
    const src = new Float32Array(12)
    const dst = new Float32Array(6)
    expect(() => addon.copy(src, 7, Int32Array.of(4, 1), dst, 0, Int32Array.of(3, 1), Int32Array.of(2, 3))).toThrow(/outside an array/)
    expect(() => addon.copy(src, 0, Int32Array.of(4, 1), dst, 1, Int32Array.of(3, 1), Int32Array.of(2, 3))).toThrow(/outside an array/)
    addon.copy(Float32Array.from({ length: 12 }, (_, i) => i), 1, Int32Array.of(4, 1), dst, 0, Int32Array.of(3, 1), Int32Array.of(2, 3))
    expect([...dst]).toEqual([1, 2, 3, 5, 6, 7])
  })

  it('softmax over the last axis, gather and its gradient (UnsortedSegmentSum)', async () => {
    await compare(() => [tf.softmax(randomTensor([6, 33], 16).mul(10)), tf.softmax(randomTensor([2, 3, 5], 17))], (v) => 1e-6 * (1 + Math.abs(v)))
    const ids = () => tf.tensor2d([[3, 1, 3], [0, 9, 3]], [2, 3], 'int32')
    await compare(() => [tf.gather(randomTensor([10, 6], 18), ids()), tf.gather(randomTensor([4, 10, 3], 19), tf.tensor1d([2, 2, 7], 'int32'), 1)], () => 0)
    await compare(() => tf.grad((e: tf.Tensor) => tf.gather(e, ids()).mul(randomTensor([2, 3, 6], 20)).sum())(randomTensor([10, 6], 21)), elementwise)
    await compare(() => tf.unsortedSegmentSum(randomTensor([5, 4], 22), tf.tensor1d([2, 0, 2, 7, -1], 'int32'), 3), elementwise)
  })

  it('int32 tensors go through the cpu kernels unchanged', async () => {
    const ints = () => tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32')
    await compare(() => [ints().add(ints()).toFloat(), ints().mul(tf.scalar(3, 'int32')).toFloat(), ints().sum().toFloat(), ints().transpose().toFloat()], () => 0)
  })

  afterAll(() => nativeAddon().setScalar(false))
})
