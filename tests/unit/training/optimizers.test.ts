/**
 * Optimizers against torch's documented update equations (docs.pytorch.org, torch.optim.<Name>, the
 * "Algorithm" box of each), written out below as plain scalar arithmetic, independent of the tensor code.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Adadelta } from '../../../src-engine/training/optimizers/adadelta'
import { Adam, AdamW } from '../../../src-engine/training/optimizers/adam'
import { AdamW8bit } from '../../../src-engine/training/optimizers/adamw-8bit'
import { createOptimizer, parameterGroups } from '../../../src-engine/training/optimizers/create-optimizer'
import type { Optimizer } from '../../../src-engine/training/optimizers/optimizer'
import { Rmsprop } from '../../../src-engine/training/optimizers/rmsprop'
import { optimizerStateFromTensors, optimizerStateToTensors } from '../../../src-engine/training/optimizers/optimizer-state-file'
import { Sgd } from '../../../src-engine/training/optimizers/sgd'
import { encodeSafetensors, SafetensorsFile } from '../../../src-engine/weights/safetensors'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const p0 = [1.0, -2.0, 0.5, 0.0]
/** Fixed gradients of the three steps; they change sign and size so every term of each rule matters. */
const grads = [
  [0.1, -0.3, 0.02, 1.5],
  [-0.2, 0.25, 0.01, 1.0],
  [0.05, 0.4, -0.03, -0.5],
]

let counter = 0
function freshParam(values = p0): tf.Variable {
  return tf.variable(tf.tensor1d(values), true, `w${counter++}`)
}

/** Runs three steps; returns the parameter after each. */
function runSteps(make: (params: tf.Variable[]) => Optimizer): number[][] {
  const param = freshParam()
  const optimizer = make([param])
  const out: number[][] = []
  for (const g of grads) {
    const gt = tf.tensor1d(g)
    optimizer.step({ [param.name]: gt })
    gt.dispose()
    out.push(Array.from(param.dataSync()))
  }
  optimizer.dispose()
  param.dispose()
  return out
}

function expectClose(actual: number[][], expected: number[][], tol = 2e-6): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((row, s) => row.forEach((a, i) => expect(Math.abs(a - expected[s]![i]!), `step ${s + 1} element ${i}: ${a} vs ${expected[s]![i]}`).toBeLessThan(tol * Math.max(1, Math.abs(expected[s]![i]!)))))
}

// ---- The references: torch's algorithm boxes, element by element, in float64. ----

function referenceAdam(lr: number, wd: number, decoupled: boolean, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[][] {
  const p = [...p0]
  const m = p.map(() => 0)
  const v = p.map(() => 0)
  const out: number[][] = []
  grads.forEach((gs, s) => {
    const t = s + 1
    for (let i = 0; i < p.length; i++) {
      let g = gs[i]!
      if (decoupled) p[i] = p[i]! - lr * wd * p[i]!
      else g = g + wd * p[i]!
      m[i] = b1 * m[i]! + (1 - b1) * g
      v[i] = b2 * v[i]! + (1 - b2) * g * g
      const mHat = m[i]! / (1 - b1 ** t)
      const vHat = v[i]! / (1 - b2 ** t)
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps)
    }
    out.push([...p])
  })
  return out
}

function referenceSgd(lr: number, wd: number, momentum: number, dampening: number, nesterov: boolean): number[][] {
  const p = [...p0]
  const b = p.map(() => 0)
  const out: number[][] = []
  grads.forEach((gs, s) => {
    for (let i = 0; i < p.length; i++) {
      let g = gs[i]! + wd * p[i]!
      if (momentum !== 0) {
        b[i] = s === 0 ? g : momentum * b[i]! + (1 - dampening) * g
        g = nesterov ? g + momentum * b[i]! : b[i]!
      }
      p[i] = p[i]! - lr * g
    }
    out.push([...p])
  })
  return out
}

function referenceRmsprop(lr: number, alpha: number, eps: number, wd: number, momentum: number, centered: boolean): number[][] {
  const p = [...p0]
  const v = p.map(() => 0)
  const gAvg = p.map(() => 0)
  const b = p.map(() => 0)
  const out: number[][] = []
  grads.forEach((gs) => {
    for (let i = 0; i < p.length; i++) {
      const g = gs[i]! + wd * p[i]!
      v[i] = alpha * v[i]! + (1 - alpha) * g * g
      let vTilde = v[i]!
      if (centered) {
        gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * g
        vTilde = vTilde - gAvg[i]! * gAvg[i]!
      }
      if (momentum > 0) {
        b[i] = momentum * b[i]! + g / (Math.sqrt(vTilde) + eps)
        p[i] = p[i]! - lr * b[i]!
      } else {
        p[i] = p[i]! - (lr * g) / (Math.sqrt(vTilde) + eps)
      }
    }
    out.push([...p])
  })
  return out
}

function referenceAdadelta(lr: number, rho: number, eps: number, wd: number): number[][] {
  const p = [...p0]
  const v = p.map(() => 0)
  const u = p.map(() => 0)
  const out: number[][] = []
  grads.forEach((gs) => {
    for (let i = 0; i < p.length; i++) {
      const g = gs[i]! + wd * p[i]!
      v[i] = v[i]! * rho + g * g * (1 - rho)
      const dx = (Math.sqrt(u[i]! + eps) / Math.sqrt(v[i]! + eps)) * g
      u[i] = u[i]! * rho + dx * dx * (1 - rho)
      p[i] = p[i]! - lr * dx
    }
    out.push([...p])
  })
  return out
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`first three steps match torch equations (${backend})`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend)
      await tf.ready()
    })
    afterAll(async () => {
      await tf.setBackend('cpu')
    })

    it('AdamW: decoupled weight decay and bias correction', () => {
      const actual = runSteps((ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.1 }))
      expectClose(actual, referenceAdam(0.1, 0.1, true))
      // By hand, step 1: m̂ = g and v̂ = g², so each element moves by lr·g/(|g|+ε) ≈ lr·sign(g) after decay.
      expect(actual[0]![0]).toBeCloseTo(1.0 * (1 - 0.01) - 0.1, 6)
      expect(actual[0]![1]).toBeCloseTo(-2.0 * (1 - 0.01) + 0.1, 6)
    })
    it('AdamW defaults to torch weight_decay 1e-2', () => {
      expectClose(
        runSteps((ps) => new AdamW(ps, { lr: 0.05 })),
        referenceAdam(0.05, 1e-2, true),
      )
    })
    it('Adam: L2 weight decay folded into the gradient', () => {
      const actual = runSteps((ps) => new Adam(ps, { lr: 0.1, weightDecay: 0.1 }))
      expectClose(actual, referenceAdam(0.1, 0.1, false))
      // and it is not the same as AdamW's rule
      expect(Math.abs(actual[2]![3]! - referenceAdam(0.1, 0.1, true)[2]![3]!)).toBeGreaterThan(1e-4)
    })
    it('SGD plain (torch default momentum 0)', () => {
      const actual = runSteps((ps) => new Sgd(ps, { lr: 0.1 }))
      expectClose(actual, referenceSgd(0.1, 0, 0, 0, false))
      // By hand: p1 = p0 − 0.1·g1
      expect(actual[0]).toEqual([1.0 - 0.01, -2.0 + 0.03, 0.5 - 0.002, -0.15].map((x) => Math.fround(x)))
    })
    it('SGD with momentum, dampening and weight decay', () => {
      expectClose(
        runSteps((ps) => new Sgd(ps, { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01 })),
        referenceSgd(0.1, 0.01, 0.9, 0.5, false),
      )
    })
    it('SGD with Nesterov momentum (H2O LLM Studio preset)', () => {
      expectClose(
        runSteps((ps) => new Sgd(ps, { lr: 0.1, momentum: 0.9, nesterov: true })),
        referenceSgd(0.1, 0, 0.9, 0, true),
      )
    })
    it('RMSprop with torch defaults (alpha 0.99, eps 1e-8)', () => {
      const actual = runSteps((ps) => new Rmsprop(ps, { lr: 0.01 }))
      expectClose(actual, referenceRmsprop(0.01, 0.99, 1e-8, 0, 0, false))
      // By hand, step 1: v = 0.01·g², so the move is lr·g/(0.1·|g|) = 0.1·sign(g).
      expect(actual[0]![0]).toBeCloseTo(0.9, 6)
    })
    it('RMSprop with momentum, centered and weight decay', () => {
      expectClose(
        runSteps((ps) => new Rmsprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.9, centered: true, weightDecay: 0.1 })),
        referenceRmsprop(0.01, 0.9, 1e-8, 0.1, 0.9, true),
      )
    })
    it('Adadelta with torch defaults (lr 1.0 scales the update, rho 0.9, eps 1e-6)', () => {
      const actual = runSteps((ps) => new Adadelta(ps))
      expectClose(actual, referenceAdadelta(1.0, 0.9, 1e-6, 0))
      // By hand, step 1, element 0: v = 0.1·0.01 = 0.001; Δ = √1e-6/√(0.001+1e-6)·0.1
      expect(actual[0]![0]).toBeCloseTo(1.0 - (Math.sqrt(1e-6) / Math.sqrt(0.001001)) * 0.1, 6)
    })
    it('Adadelta with a smaller lr and weight decay', () => {
      expectClose(
        runSteps((ps) => new Adadelta(ps, { lr: 0.5, weightDecay: 0.1 })),
        referenceAdadelta(0.5, 0.9, 1e-6, 0.1),
      )
    })
    it('AdamW8bit on a small tensor keeps 32-bit moments (as bitsandbytes) and equals AdamW', () => {
      expectClose(
        runSteps((ps) => new AdamW8bit(ps, { lr: 0.1, weightDecay: 0.1 })),
        referenceAdam(0.1, 0.1, true),
      )
    })
  })
}

describe('parameter groups', () => {
  it('each group uses its own lr and weight decay; a parameter without a gradient is not touched', () => {
    const a = tf.variable(tf.tensor1d([1, 1]), true, 'layer.weight')
    const b = tf.variable(tf.tensor1d([1, 1]), true, 'head.weight')
    const c = tf.variable(tf.tensor1d([5, 5]), true, 'frozen.weight')
    const optimizer = new Sgd([{ params: [a], lr: 0.1 }, { params: [b, c], lr: 0.01, weightDecay: 1 }])
    const g = tf.tensor1d([1, -1])
    optimizer.step({ [a.name]: g, [b.name]: g })
    expect(Array.from(a.dataSync())).toEqual([0.9, 1.1].map(Math.fround))
    // b: g + wd·p = [2, 0]; p − 0.01·[2, 0]
    expect(Array.from(b.dataSync())).toEqual([0.98, 1].map(Math.fround))
    expect(Array.from(c.dataSync())).toEqual([5, 5])
    optimizer.setLearningRateFactor(0.5)
    expect(optimizer.groups.map((gr) => gr.lr)).toEqual([0.05, 0.005])
    ;[a, b, c, g].forEach((t) => t.dispose())
    optimizer.dispose()
  })
  it('H2O grouping: differential layers by name, no decay for bias and LayerNorm.weight', () => {
    const names = ['model.layers.0.q_proj.weight', 'model.layers.0.q_proj.bias', 'lm_head.weight', 'lm_head.bias', 'model.LayerNorm.weight']
    const params = names.map((n) => tf.variable(tf.zeros([1]), true, n))
    const groups = parameterGroups(params, { learningRate: 1e-3, weightDecay: 0.1, differentialLearningRateLayers: ['lm_head'], differentialLearningRate: 1e-5 })
    const summary = groups.map((g) => ({ name: g.name, lr: g.lr, wd: g.weightDecay, params: g.params.map((p) => p.name) }))
    expect(summary).toEqual([
      { name: 'decay', lr: 1e-3, wd: 0.1, params: ['model.layers.0.q_proj.weight'] },
      { name: 'no_decay', lr: 1e-3, wd: 0, params: ['model.layers.0.q_proj.bias', 'model.LayerNorm.weight'] },
      { name: 'differential_decay', lr: 1e-5, wd: 0.1, params: ['lm_head.weight'] },
      { name: 'differential_no_decay', lr: 1e-5, wd: 0, params: ['lm_head.bias'] },
    ])
    params.forEach((p) => p.dispose())
  })
  it('refuses a parameter in two groups', () => {
    const a = tf.variable(tf.zeros([1]), true, 'dup')
    expect(() => new Sgd([{ params: [a] }, { params: [a] }])).toThrow(/more than one/)
    a.dispose()
  })
})

const kinds = ['AdamW', 'Adam', 'SGD', 'RMSprop', 'Adadelta', 'AdamW8bit'] as const

/** Deterministic pseudo-random gradients (xorshift), so runs can be repeated exactly. */
function gradientStream(seed: number, n: number): () => Float32Array {
  let s = seed
  return () => {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      s ^= s << 13
      s ^= s >>> 17
      s ^= s << 5
      out[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.2
    }
    return out
  }
}

describe('state export → import → continue equals an uninterrupted run', () => {
  for (const kind of kinds) {
    it(kind, async () => {
      // 5000 elements: above AdamW8bit's 4096 threshold, so its quantised path is the one saved.
      const n = 5000
      const init = Array.from(gradientStream(7, n)())
      const run = async (interruptAt: number | null): Promise<Float32Array> => {
        const param = tf.variable(tf.tensor1d(init), true, `resume.${kind}`)
        const next = gradientStream(11, n)
        let optimizer = createOptimizer([param], { optimizer: kind, learningRate: 0.01, weightDecay: 0.05 })
        for (let step = 0; step < 6; step++) {
          if (step === interruptAt) {
            const saved = await optimizer.exportState()
            // A round trip through JSON-like copies, as a checkpoint file would do.
            const copy = structuredClone(saved)
            optimizer.dispose()
            optimizer = createOptimizer([param], { optimizer: kind, learningRate: 0.01, weightDecay: 0.05 })
            optimizer.importState(copy)
            expect(optimizer.stepCount).toBe(interruptAt)
          }
          const g = tf.tensor1d(next())
          optimizer.step({ [param.name]: g })
          g.dispose()
        }
        const out = Float32Array.from(param.dataSync())
        optimizer.dispose()
        param.dispose()
        return out
      }
      const uninterrupted = await run(null)
      const resumed = await run(3)
      expect(resumed).toEqual(uninterrupted)
      // and the run did move the parameter (the comparison is not between two untouched arrays)
      expect(Math.abs(uninterrupted[0]! - init[0]!)).toBeGreaterThan(1e-5)
    })
  }
  it('refuses state written by another optimizer', async () => {
    const p = freshParam()
    const adam = new AdamW([p])
    const g = tf.tensor1d(grads[0]!)
    adam.step({ [p.name]: g })
    const sgd = new Sgd([p], { momentum: 0.9 })
    const exported = await adam.exportState()
    expect(() => sgd.importState(exported)).toThrow(/for AdamW, but this run uses SGD/)
    ;[p, g].forEach((t) => t.dispose())
    adam.dispose()
    sgd.dispose()
  })
})

describe('memory', () => {
  for (const kind of kinds) {
    it(`${kind}: tensor count does not grow over 100 steps`, () => {
      const param = tf.variable(tf.randomNormal([64, 80]), true, `mem.${kind}`)
      const g = tf.randomNormal([64, 80])
      const optimizer = createOptimizer([param], { optimizer: kind, learningRate: 1e-3, weightDecay: 0.01 })
      optimizer.step({ [param.name]: g }) // creates the state
      const before = tf.memory().numTensors
      for (let i = 0; i < 100; i++) optimizer.step({ [param.name]: g })
      expect(tf.memory().numTensors).toBe(before)
      optimizer.dispose()
      param.dispose()
      g.dispose()
    })
  }
})

describe('state through a safetensors file', () => {
  for (const kind of ['AdamW', 'AdamW8bit'] as const) {
    it(`${kind}: encode → SafetensorsFile → import → continue equals uninterrupted`, async () => {
      const n = 5000
      const init = Array.from(gradientStream(3, n)())
      const run = async (throughFile: boolean): Promise<Float32Array> => {
        const param = tf.variable(tf.tensor1d(init), true, `file.${kind}`)
        const next = gradientStream(5, n)
        let optimizer = createOptimizer([param], { optimizer: kind, learningRate: 0.01, weightDecay: 0.05 })
        for (let step = 0; step < 4; step++) {
          if (step === 2 && throughFile) {
            const { tensors, metadata } = optimizerStateToTensors(await optimizer.exportState())
            const file = new SafetensorsFile('optimizer.safetensors', encodeSafetensors(tensors, metadata))
            optimizer.dispose()
            optimizer = createOptimizer([param], { optimizer: kind, learningRate: 0.01, weightDecay: 0.05 })
            optimizer.importState(optimizerStateFromTensors(file, file.metadata))
          }
          const g = tf.tensor1d(next())
          optimizer.step({ [param.name]: g })
          g.dispose()
        }
        const out = Float32Array.from(param.dataSync())
        optimizer.dispose()
        param.dispose()
        return out
      }
      expect(await run(true)).toEqual(await run(false))
    })
  }
  it('refuses a file that is not optimizer state', () => {
    const file = new SafetensorsFile('model.safetensors', encodeSafetensors({}, { format: 'pt' }))
    expect(() => optimizerStateFromTensors(file, file.metadata)).toThrow(/does not hold optimizer state/)
  })
})

describe('two optimizers over the same parameter', () => {
  it('do not clash on slot variable names', () => {
    const p = freshParam()
    const g = tf.tensor1d(grads[0]!)
    const first = new AdamW([p])
    const second = new AdamW([p])
    first.step({ [p.name]: g })
    expect(() => second.step({ [p.name]: g })).not.toThrow()
    first.dispose()
    second.dispose()
    ;[p, g].forEach((t) => t.dispose())
  })
})
