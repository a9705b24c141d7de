/**
 * The fused kernels (models/fused-ops.ts) exercised through the ops that call them, with gradients: run each
 * case on a backend that has the kernels and on the cpu backend (composed ops) and compare the values.
 * Shapes cover rows narrower and wider than a workgroup, widths that are not a multiple of it, a vocabulary
 * row, GELU far into its tails and ignored labels; and AddN over many inputs (the gradient norm's sum).
 */
import * as tf from '@tensorflow/tfjs'
import { activation, layerNorm } from '../../src-engine/models/layers'
import { IGNORE_INDEX, tokenNegativeLogLikelihood, weightedCrossEntropy } from '../../src-engine/training/cross-entropy'
import { globalNorm } from '../../src-engine/training/gradient-clipping'
import { Adam, AdamW } from '../../src-engine/training/optimizers/adam'

type Outputs = tf.Tensor | tf.Tensor[]

export interface FusedKernelCase {
  name: string
  run: () => Outputs | Promise<Outputs>
  /** The largest difference allowed at a reference value. */
  tolerance: (reference: number) => number
  /**
   * Its forward saves tensors it made for the gradient (the loss's log-sum-exp and row weights): tfjs's
   * test-mode leak check counts those as leaked, so tests run such a case with the check off.
   */
  savesOwnTensors?: true
}

/** Deterministic values in [-2, 2): the same inputs on every backend. */
export function seededTensor(shape: number[], seed: number): tf.Tensor {
  let state = seed * 2654435761 + 1
  const size = shape.reduce((a, b) => a * b, 1)
  const values = Float32Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state / 2147483648) * 4 - 2
  })
  return tf.tensor(values, shape)
}

const relative = (scale: number) => (v: number) => scale * (1 + Math.abs(v))

function geluCase(cols: number, spread: number): FusedKernelCase {
  const gelu = activation('gelu_new')
  const x = () => seededTensor([7, cols], 1).mul(tf.linspace(-spread, spread, cols))
  return {
    name: `gelu_new [7,${cols}] in ±${spread * 2}`,
    run: () => [gelu(x()), tf.grad((t: tf.Tensor) => gelu(t).mul(seededTensor([7, cols], 2)).sum())(x())],
    tolerance: relative(1e-5),
  }
}

function layerNormCase(shape: number[]): FusedKernelCase {
  const cols = shape[shape.length - 1]!
  // Rows with spreads from 0.25 to 2.25 around 7: a row scaled near zero would have a variance below eps and
  // a mean that float32 cannot subtract exactly, and the test would measure summation order, not the kernel.
  const x = () => seededTensor(shape, 3).mul(seededTensor([...shape.slice(0, -1), 1], 4).abs().add(0.25)).add(7)
  const w = () => seededTensor([cols], 5) as tf.Tensor1D
  const b = () => seededTensor([cols], 6) as tf.Tensor1D
  const loss = (t: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor) => layerNorm(t, wt as tf.Tensor1D, bt as tf.Tensor1D, 1e-5).mul(seededTensor(shape, 7)).sum()
  return {
    name: `layer norm [${shape.join(',')}] with gradients`,
    run: () => [layerNorm(x(), w(), b(), 1e-5), ...tf.grads(loss)([x(), w(), b()])],
    tolerance: relative(1e-4),
  }
}

function crossEntropyCase(batch: number, time: number, vocab: number): FusedKernelCase {
  const logits = () => seededTensor([batch, time, vocab], 8).mul(6)
  const labels = Int32Array.from({ length: batch * time }, (_, i) => (i % 4 === 1 ? IGNORE_INDEX : (i * 7919) % vocab))
  const weights = Float32Array.from(labels, (y, i) => (y === IGNORE_INDEX ? 0 : 0.1 + i / 20))
  return {
    name: `cross-entropy [${batch},${time},${vocab}] value, gradient and per-token NLL`,
    run: async () => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => weightedCrossEntropy(x, labels, weights).mul(3))([logits()])
      return [value, ...grads, tf.tensor1d(await tokenNegativeLogLikelihood(logits(), labels))]
    },
    tolerance: relative(1e-5),
    savesOwnTensors: true,
  }
}

function adamCase(name: string, make: (vars: tf.Variable[]) => Adam | AdamW): FusedKernelCase {
  return {
    name: `${name}: parameters and slots after three updates`,
    run: async () => {
      const vars = [tf.variable(seededTensor([5, 33], 30)), tf.variable(seededTensor([33], 31))]
      const optimizer = make(vars)
      for (let step = 0; step < 3; step++) {
        optimizer.step(Object.fromEntries(vars.map((v, i) => [v.name, seededTensor(v.shape, 40 + step * 2 + i).mul(step + 1)])))
      }
      const state = await optimizer.exportState()
      const out = [...vars.map((v) => v.clone()), ...Object.values(state.arrays).map((a) => tf.tensor(a.data, a.shape))]
      optimizer.dispose()
      tf.dispose(vars)
      return out
    },
    tolerance: relative(1e-6),
  }
}

/** Not a fused kernel: AddN past the inputs one dispatch can bind (webgpu splits it; see webgpu/fused-kernels.ts). */
const addNCase: FusedKernelCase = {
  name: 'AddN of 1, 5 and 17 tensors; global gradient norm of 17',
  run: async () => {
    const grads = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`g${i}`, seededTensor([3, 5], 60 + i)]))
    const all = Object.values(grads)
    return [tf.addN(all.slice(0, 1)), tf.addN(all.slice(0, 5)), tf.addN(all), tf.scalar(await globalNorm(grads))]
  },
  tolerance: relative(1e-5),
}

export const fusedKernelCases: FusedKernelCase[] = [
  addNCase,
  geluCase(301, 6),
  geluCase(64, 20),
  layerNormCase([3, 5, 40]),
  layerNormCase([4, 300]),
  layerNormCase([2, 3, 1030]),
  layerNormCase([3, 100, 24]), // 300 rows: the column sums' chunks of 64, the last one partial
  crossEntropyCase(2, 5, 37),
  crossEntropyCase(2, 3, 3001),
  adamCase('Adam with L2 weight decay', (vars) => new Adam(vars, { lr: 3e-2, weightDecay: 0.1 })),
  adamCase('AdamW', (vars) => new AdamW(vars, { lr: 3e-2, betas: [0.8, 0.99], eps: 1e-6 })),
]

/** fn's outputs on the current backend, read back; every tensor it made is disposed. */
export async function readOutputs(fn: () => Outputs | Promise<Outputs>): Promise<Float32Array[]> {
  // A scope rather than tf.tidy, which cannot wait: fn may read values back (data()) on the way.
  tf.engine().startScope()
  let list: tf.Tensor[]
  try {
    const out = await fn()
    list = (Array.isArray(out) ? out : [out]).map((t) => tf.keep(t))
  } finally {
    tf.engine().endScope()
  }
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())))
  tf.dispose(list)
  return values
}

/** The largest |actual − expected| over the outputs, or the first value beyond tolerance as an error text. */
export function worstDifference(c: Pick<FusedKernelCase, 'tolerance'>, expected: Float32Array[], actual: Float32Array[]): { worst: number; error: string | null } {
  let worst = 0
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!
    const got = actual[i]
    if (!got || got.length !== want.length) return { worst, error: `output ${i}: ${got?.length ?? 'no'} values, expected ${want.length}` }
    for (let j = 0; j < want.length; j++) {
      const diff = Object.is(got[j], want[j]) ? 0 : Math.abs(got[j]! - want[j]!)
      if (diff !== 0 && !(diff <= c.tolerance(want[j]!))) return { worst: diff, error: `output ${i}[${j}]: ${got[j]} vs cpu ${want[j]}` }
      worst = Math.max(worst, diff)
    }
  }
  return { worst, error: null }
}
