/** The native backend for tests: started once, or the reason it cannot run (tests then skip and say why). */
import * as tf from '@tensorflow/tfjs'
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
