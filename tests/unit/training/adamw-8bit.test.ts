/** AdamW8bit: the code books, blockwise quantisation, closeness to 32-bit AdamW, and the measured state size. */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { AdamW } from '../../../src-engine/training/optimizers/adam'
import { AdamW8bit } from '../../../src-engine/training/optimizers/adamw-8bit'
import { dequantizeBlockwise, dynamicCodeBook, linearCodeBook, nearestCode, nearestCodeFast, quantizeBlockwise, startTable } from '../../../src-engine/training/optimizers/blockwise-quantization'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('code books', () => {
  it('signed dynamic map: 256 sorted entries, 0 and 1, and its smallest magnitudes as create_dynamic_map builds them', () => {
    const code = dynamicCodeBook(true)
    expect(code.length).toBe(256)
    for (let i = 1; i < 256; i++) expect(code[i]!).toBeGreaterThanOrEqual(code[i - 1]!)
    expect(code[255]).toBe(1)
    expect(Array.from(code)).toContain(0)
    // exponent 10^-6, one fraction item: mean of linspace(0.1, 1, 2) = 0.55 → ±5.5e-7, the values next to 0
    const zero = code.indexOf(0)
    expect(code[zero + 1]).toBeCloseTo(5.5e-7, 12)
    expect(code[zero - 1]).toBeCloseTo(-5.5e-7, 12)
    // largest below 1: exponent 10^0, 64 items, last mean = (0.1 + 0.9·63/64 + 1)/2
    expect(code[254]).toBeCloseTo((0.1 + (0.9 * 63) / 64 + 1) / 2, 6)
    expect(code[0]).toBeCloseTo(-((0.1 + (0.9 * 63) / 64 + 1) / 2), 6)
  })
  it('unsigned dynamic map: 256 entries in [0, 1], twice the fraction items per exponent', () => {
    const code = dynamicCodeBook(false)
    expect(code.length).toBe(256)
    expect(code[0]).toBe(0)
    expect(code[255]).toBe(1)
    // exponent 10^-6, two items: means of linspace(0.1, 1, 3) = 0.325, 0.775
    expect(code[1]).toBeCloseTo(3.25e-7, 12)
    expect(code[2]).toBeCloseTo(7.75e-7, 12)
  })
  it('linear maps hold 0 and ±1 exactly', () => {
    const signed = linearCodeBook(true)
    expect(signed[0]).toBe(-1)
    expect(signed[127]).toBe(0)
    expect(signed[254]).toBe(1)
    expect(linearCodeBook(false)[255]).toBe(1)
  })
  it('nearestCode picks the nearest entry', () => {
    const code = Float32Array.from([-1, -0.5, 0, 0.25, 1])
    expect([-2, -0.8, -0.7, -0.1, 0.12, 0.13, 0.7, 3].map((x) => nearestCode(code, x))).toEqual([0, 0, 1, 2, 2, 3, 4, 4])
  })
})

describe('nearestCodeFast (table start + short walk) gives the same index as the binary search', () => {
  for (const [name, code] of [['dynamic signed', dynamicCodeBook(true)], ['dynamic unsigned', dynamicCodeBook(false)], ['linear signed', linearCodeBook(true)], ['linear unsigned', linearCodeBook(false)]] as const) {
    it(name, () => {
      const table = startTable(code)
      const probes: number[] = [0, -0, 1, -1, 1.5, -1.5, 1e-9, -1e-9, 1e-30]
      for (let i = 0; i < code.length; i++) {
        const c = code[i]!
        const next = code[Math.min(i + 1, code.length - 1)]!
        probes.push(c, c + 1e-9, c - 1e-9, (c + next) / 2, Math.fround((c + next) / 2))
      }
      let s = 99
      for (let i = 0; i < 200_000; i++) {
        s = (s * 1103515245 + 12345) % 2147483648
        const u = s / 2147483648
        // uniform, and log-uniform over 1e-8..1 (where the dynamic code is dense), both signs
        probes.push(u * 2 - 1, (i % 2 ? 1 : -1) * 10 ** (-8 * u))
      }
      for (const x of probes) expect(nearestCodeFast(code, table, x), `x = ${x}`).toBe(nearestCode(code, x))
    })
  }
})

describe('blockwise quantisation', () => {
  it('keeps each block absmax exact and the round-trip error within half a code step of the block', () => {
    const values = new Float32Array(1000)
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 0.37) * (i < 256 ? 1e-3 : 2)
    for (const [code, name] of [[dynamicCodeBook(true), 'dynamic'], [linearCodeBook(true), 'linear']] as const) {
      const q = quantizeBlockwise(values, 256, code)
      expect(q.absmax.length).toBe(4)
      const back = dequantizeBlockwise(q, 256, code)
      for (let b = 0; b < 4; b++) {
        const block = values.subarray(b * 256, (b + 1) * 256)
        const absmax = Math.max(...Array.from(block, Math.abs))
        expect(q.absmax[b]).toBeCloseTo(absmax, 7)
        // The widest gap between neighbouring code entries bounds the error: half of it, times absmax.
        let gap = 0
        for (let i = 1; i < 256; i++) gap = Math.max(gap, code[i]! - code[i - 1]!)
        for (let i = 0; i < block.length; i++) expect(Math.abs(back[b * 256 + i]! - block[i]!), name).toBeLessThanOrEqual(((gap / 2) * absmax) * 1.0001)
      }
      // the small first block is not crushed by the large later ones (the point of blocks)
      expect(Math.abs(back[10]! - values[10]!)).toBeLessThan(1e-4 * 1e-3 * 100)
    }
  })
})

function xorshift(seed: number): () => number {
  let s = seed
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
}

/** Trains a quadratic bowl with noisy gradients through both optimizers; returns both parameters. */
function trainBoth(n: number, steps: number, options: { blockSize: number; quantization: 'dynamic' | 'linear' }) {
  const random = xorshift(3)
  const target = Float32Array.from({ length: n }, () => random() * 2 - 1)
  const init = Float32Array.from({ length: n }, () => random() * 2 - 1)
  const p32 = tf.variable(tf.tensor1d(init), true, 'bowl32')
  const p8 = tf.variable(tf.tensor1d(init), true, 'bowl8')
  const adam = new AdamW([p32], { lr: 1e-2, weightDecay: 0.01 })
  const adam8 = new AdamW8bit([p8], { lr: 1e-2, weightDecay: 0.01, ...options })
  const noise = xorshift(5)
  for (let step = 0; step < steps; step++) {
    const jitter = tf.tensor1d(Float32Array.from({ length: n }, () => (noise() - 0.5) * 0.5))
    const t = tf.tensor1d(target)
    const g32 = tf.tidy(() => p32.sub(t).add(jitter))
    const g8 = tf.tidy(() => p8.sub(t).add(jitter))
    adam.step({ [p32.name]: g32 })
    adam8.step({ [p8.name]: g8 })
    ;[jitter, t, g32, g8].forEach((x) => x.dispose())
  }
  const result = { init, p32: Float32Array.from(p32.dataSync()), p8: Float32Array.from(p8.dataSync()), bytes32: adam.stateBytes(), bytes8: adam8.stateBytes() }
  adam.dispose()
  adam8.dispose()
  p32.dispose()
  p8.dispose()
  return result
}

describe('AdamW8bit against 32-bit AdamW', () => {
  for (const [blockSize, quantization] of [[256, 'dynamic'], [2048, 'dynamic']] as const) {
    it(`block ${blockSize}, ${quantization}: state ≥ 3.5× smaller, trajectory within tolerance`, () => {
      const n = 20_000
      const r = trainBoth(n, 50, { blockSize, quantization })
      // 32-bit: two float32 moments = 8 bytes a value. 8-bit: 2 bytes a value + 2 float32 absmax a block.
      expect(r.bytes32).toBe(8 * n)
      expect(r.bytes8).toBe(2 * n + 2 * 4 * Math.ceil(n / blockSize))
      const ratio = r.bytes32 / r.bytes8
      expect(ratio).toBeGreaterThanOrEqual(3.5)
      // Tolerance: the 8-bit run must move the parameters the same way. After 50 steps of lr 1e-2 each
      // value has moved about 0.5; we require the mean absolute gap between the two runs to stay under
      // 2% of the mean absolute movement, and no single value to differ by more than 10% of it.
      let moved = 0
      let gap = 0
      let worst = 0
      for (let i = 0; i < n; i++) {
        moved += Math.abs(r.p32[i]! - r.init[i]!)
        const d = Math.abs(r.p32[i]! - r.p8[i]!)
        gap += d
        worst = Math.max(worst, d)
      }
      moved /= n
      gap /= n
      console.info(`AdamW8bit block ${blockSize} ${quantization}: state ${r.bytes8} B vs ${r.bytes32} B (${ratio.toFixed(2)}× smaller); mean |Δp| ${gap.toExponential(2)} vs mean movement ${moved.toExponential(2)}; worst ${worst.toExponential(2)}`)
      expect(moved).toBeGreaterThan(0.1)
      expect(gap / moved).toBeLessThan(0.02)
      expect(worst / moved).toBeLessThan(0.1)
    })
  }
  it('linear quantisation: same size, but the second moment rounds to zero and the run strays (why dynamic is the default)', () => {
    const n = 20_000
    const linear = trainBoth(n, 50, { blockSize: 256, quantization: 'linear' })
    const dynamic = trainBoth(n, 50, { blockSize: 256, quantization: 'dynamic' })
    expect(linear.bytes8).toBe(dynamic.bytes8)
    const meanGap = (r: typeof linear): number => r.p32.reduce((sum, x, i) => sum + Math.abs(x - r.p8[i]!), 0) / n
    expect(meanGap(linear)).toBeGreaterThan(3 * meanGap(dynamic))
  })
})
