/** The native backend for tests: started once, or the reason it cannot run (tests then skip and say why). */
import * as tf from '@tensorflow/tfjs'
import { loadNativeAddon, type NativeAddon } from '../../../src-engine/native/addon'
import { nativeBackendName, registerNativeBackend } from '../../../src-engine/native/backend-native'
import { readOutputs, seededTensor, worstDifference } from '../../../scripts/bench/fused-kernel-cases'

type Outputs = tf.Tensor | tf.Tensor[]

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
export async function valuesOn(backend: string, fn: () => Outputs | Promise<Outputs>): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  return readOutputs(fn)
}

/** Deterministic values in [-2, 2): the same inputs on both backends. */
export const randomTensor = seededTensor

/** Runs fn on cpu and on native; throws at the first value off by more than tolerance(cpu value). Returns the worst difference. */
export async function compare(fn: () => Outputs | Promise<Outputs>, tolerance: (reference: number) => number): Promise<number> {
  const expected = await valuesOn('cpu', fn)
  const actual = await valuesOn('native', fn)
  const { worst, error } = worstDifference({ tolerance }, expected, actual)
  if (error) throw new Error(`native against cpu: ${error}`)
  return worst
}

