/**
 * Each fused kernel against the composed ops it replaces, timed on one backend (forward and backward where
 * there is one; setFusedKernelsEnabled turns the kernels off between the two runs):
 *   tsx scripts/bench/fused-speed.ts [backend=webgpu]
 * Shapes are gpt-5m's (512 tokens a step, width 256, MLP 1024, vocab 8000). On webgpu a software adapter is
 * accepted, so a machine without a GPU measures Mesa's llvmpipe. Prints one JSON line: ms per call, fused and
 * composed, median of 5 calls after 2 warmup calls, each call read back (the GPU's work is in the time).
 */
import { performance } from 'node:perf_hooks'
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../../src-engine/backend'
import { activation, layerNorm } from '../../src-engine/models/layers'
import { setFusedKernelsEnabled } from '../../src-engine/models/fused-ops'
import { weightedCrossEntropy } from '../../src-engine/training/cross-entropy'
import { AdamW } from '../../src-engine/training/optimizers/adam'
import { backendChoices, WEBGPU_SOFTWARE_ENV, type BackendChoice } from '../../src-shared/engine-protocol'
import { seededTensor } from './fused-kernel-cases'

async function msPerCall(fn: () => tf.Tensor[]): Promise<number> {
  const call = async () => {
    const out = fn()
    await Promise.all(out.map((t) => t.data()))
    tf.dispose(out)
  }
  for (let i = 0; i < 2; i++) await call()
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    await call()
    times.push(performance.now() - started)
  }
  return Math.round(times.sort((a, b) => a - b)[2]! * 10) / 10
}

async function main(): Promise<unknown> {
  const backend = (process.argv[2] ?? 'webgpu') as BackendChoice
  if (!backendChoices.includes(backend)) throw new Error(`backend must be one of ${backendChoices.join(', ')}`)
  process.env[WEBGPU_SOFTWARE_ENV] = '1'
  const { device } = await chooseBackend(backend)
  const x = seededTensor([512, 256], 1)
  const gamma = seededTensor([256], 2) as tf.Tensor1D
  const beta = seededTensor([256], 3) as tf.Tensor1D
  const dy = seededTensor([512, 256], 4)
  const hidden = seededTensor([512, 1024], 5)
  const logits = seededTensor([512, 8000], 6)
  const labels = Int32Array.from({ length: 512 }, (_, i) => (i * 31) % 8000)
  const weights = new Float32Array(512).fill(1 / 512)
  const param = tf.variable(seededTensor([1024, 1024], 7))
  const grad = seededTensor([1024, 1024], 8)
  const optimizer = new AdamW([param], { lr: 1e-3 })
  const gelu = activation('gelu_new')
  const cases: Record<string, () => tf.Tensor[]> = {
    'layer norm [512,256] forward': () => [layerNorm(x, gamma, beta, 1e-5)],
    'layer norm [512,256] forward + backward': () =>
      tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).mul(dy).sum())([x, gamma, beta]),
    'tanh GELU [512,1024] forward + backward': () => [tf.grad((a: tf.Tensor) => gelu(a).sum())(hidden)],
    'cross-entropy [512,8000] forward + backward': () => {
      const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => weightedCrossEntropy(l, labels, weights))([logits])
      return [value, ...grads]
    },
    'AdamW update, 1M parameters': () => {
      optimizer.step({ [param.name]: grad })
      return [param.clone()]
    },
  }
  const rows: Record<string, { fused: number; composed: number }> = {}
  for (const [name, fn] of Object.entries(cases)) {
    setFusedKernelsEnabled(true)
    const fused = await msPerCall(fn)
    setFusedKernelsEnabled(false)
    const composed = await msPerCall(fn)
    rows[name] = { fused, composed }
  }
  setFusedKernelsEnabled(true)
  optimizer.dispose()
  tf.dispose([x, gamma, beta, dy, hidden, logits, param, grad])
  return { backend: tf.getBackend(), device, msPerCall: rows }
}

const answer = await main().catch((error: unknown) => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
process.stdout.write(`${JSON.stringify(answer)}\n`)
process.exit(0) // Dawn keeps the event loop alive
