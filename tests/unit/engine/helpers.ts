/** Shared helpers for the engine tests: the cpu backend, fixture paths, array comparisons. */
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'

export const fixtureRoot = fileURLToPath(new URL('../../fixtures/hf-reference', import.meta.url))
export const fixtureArchs = ['gpt2', 'gpt_neox', 'llama', 'qwen2'] as const

let ready: Promise<void> | null = null
/** Plain-JS cpu backend: deterministic and always available. */
export function useCpuBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set('IS_TEST', true) // silences the "install tfjs-node" banner
    await tf.setBackend('cpu')
    await tf.ready()
  })()
  return ready
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

export interface Reference {
  inputs: { name: string; text: string; input_ids: number[] }[]
  forward: { input: string; logits: number[][]; loss: number }[]
  generate: { input: string; new_tokens: number[]; scores: number[][]; sequence: number[] }[]
  tolerances: { logits_max_abs: number; loss_rel: number; scores_max_abs: number }
}
