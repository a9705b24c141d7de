/** The native backend for tests: started once, or the reason it cannot run (tests then skip and say why). */
import * as tf from '@tensorflow/tfjs'
import { expect } from 'vitest'
import { loadNativeAddon, type NativeAddon } from '../../../src-engine/native/addon'
import { nativeBackendName, registerNativeBackend } from '../../../src-engine/native/backend-native'

const loaded = loadNativeAddon()
/** Why the native tests skip (the addon was not built here), or null when they run. */
export const nativeUnavailable: string | null = 'error' in loaded ? loaded.error : null
if (nativeUnavailable) console.warn(`[native] tests skipped: ${nativeUnavailable}`)

export function nativeAddon(): NativeAddon {
  if ('error' in loaded) throw new Error(loaded.error)
  return loaded.addon
}

export async function useNativeBackend(): Promise<void> {
  tf.env().set('IS_TEST', true)
  registerNativeBackend()
  await tf.setBackend(nativeBackendName)
  await tf.ready()
}

/** Run fn on a backend and return its tensors' values (the tensors are disposed). */
export async function valuesOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const out = tf.tidy(fn)
  const list = Array.isArray(out) ? out : [out]
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())))
  tf.dispose(list)
  return values
}

/** Deterministic values in [-2, 2): the same inputs on both backends. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  let state = seed * 2654435761 + 1
  const size = shape.reduce((a, b) => a * b, 1)
  const values = Float32Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state / 2147483648) * 4 - 2
  })
  return tf.tensor(values, shape)
}

/** Runs fn on cpu and on native; throws at the first value off by more than tolerance(cpu value). Returns the worst difference. */
export async function compare(fn: () => tf.Tensor | tf.Tensor[], tolerance: (reference: number) => number): Promise<number> {
  const expected = await valuesOn('cpu', fn)
  const actual = await valuesOn('native', fn)
  let worst = 0
  expected.forEach((want, i) => {
    const got = actual[i]!
    expect(got.length).toBe(want.length)
    for (let j = 0; j < want.length; j++) {
      const diff = Object.is(got[j], want[j]) ? 0 : Math.abs(got[j]! - want[j]!)
      if (diff !== 0 && !(diff <= tolerance(want[j]!))) throw new Error(`output ${i}[${j}]: native ${got[j]} vs cpu ${want[j]}`)
      worst = Math.max(worst, diff)
    }
  })
  return worst
}

