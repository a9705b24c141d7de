/**
 * The native backend's output-array pool: disposed outputs are reused, but never an array that escaped
 * (read by dataSync/data, or viewed by another tensor such as a contiguous slice).
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { pooledMemory } from '../../../src-engine/native/buffer-pool'
import { nativeUnavailable, useNativeBackend } from './native-helpers'

const n = 1 << 16 // above the pool's minimum length

describe.skipIf(nativeUnavailable)('native buffer pool', () => {
  beforeAll(useNativeBackend)

  it('reuses a disposed output for the next output of the same length', () => {
    const x = tf.fill([n], 2)
    const first = tf.add(x, x)
    const before = pooledMemory().arrays
    first.dispose()
    expect(pooledMemory().arrays).toBe(before + 1)
    const second = tf.mul(x, x)
    expect(pooledMemory().arrays).toBe(before)
    expect(second.dataSync()[0]).toBe(4)
    tf.dispose([x, second])
  })

  it('never reuses an array that dataSync handed out', () => {
    const x = tf.fill([n], 3)
    const sum = tf.add(x, x)
    const values = sum.dataSync()
    sum.dispose()
    const other = tf.mul(x, tf.scalar(10))
    expect(values[0]).toBe(6)
    expect(values[n - 1]).toBe(6)
    tf.dispose([x, other])
  })

  it('never reuses an array that a slice still views', () => {
    const x = tf.fill([2, n], 1)
    const doubled = tf.add(x, x)
    const firstRow = doubled.slice([0, 0], [1, n]) // contiguous: the cpu Slice kernel returns a subarray view
    doubled.dispose()
    const other = tf.mul(x, tf.scalar(7))
    expect(Array.from(firstRow.dataSync().slice(0, 3))).toEqual([2, 2, 2])
    tf.dispose([x, firstRow, other])
  })
})
