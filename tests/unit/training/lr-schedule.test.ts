/** Schedules: values at key steps worked out by hand from H2O LLM Studio's lambdas (schedulers.py). */
import { describe, expect, it } from 'vitest'
import { constantFactor, cosineFactor, learningRateAt, linearFactor, scheduleSteps } from '../../../src-engine/training/lr-schedule'

const T = 100
const W = 10

describe('Cosine', () => {
  it('warms up linearly from 0, then follows half a cosine to 0', () => {
    const at = (step: number, minLrRatio = 0): number => learningRateAt('Cosine', { step, totalSteps: T, warmupSteps: W, baseLr: 1e-3, minLrRatio })
    expect(at(0)).toBe(0) // the first update of a warmup run has lr 0 (transformers / H2O)
    expect(at(5)).toBeCloseTo(5e-4, 15) // 5/10
    expect(at(10)).toBeCloseTo(1e-3, 15) // progress 0 → cos 0 = 1
    expect(at(40)).toBeCloseTo(0.75e-3, 15) // progress 30/90 = 1/3 → ½(1 + cos π/3) = ¾
    expect(at(55)).toBeCloseTo(0.5e-3, 15) // progress ½ → ½(1 + 0)
    expect(at(100)).toBeCloseTo(0, 15) // progress 1 → ½(1 − 1)
  })
  it('floors at min_learning_rate_ratio with a max(), leaving the upper part untouched', () => {
    const f = (step: number): number => cosineFactor({ step, totalSteps: T, warmupSteps: W, minLrRatio: 0.1 })
    expect(f(55)).toBeCloseTo(0.5, 12)
    // step 91: progress 0.9 → ½(1 + cos 0.9π) = 0.02447 < 0.1 → 0.1
    expect(f(91)).toBe(0.1)
    expect(f(100)).toBe(0.1)
    // step 82: progress 0.8 → ½(1 + cos 0.8π) = ½(1 − 0.809017) = 0.0954915 → floored to 0.1
    expect(f(82)).toBe(0.1)
    // step 73: progress 0.7 → ½(1 − 0.587785) = 0.2061074
    expect(f(73)).toBeCloseTo(0.2061074, 6)
  })
  it('without warmup starts at the full rate', () => {
    expect(cosineFactor({ step: 0, totalSteps: 10, warmupSteps: 0 })).toBe(1)
  })
})

describe('Linear', () => {
  it('warms up, then falls linearly to 0, with the ratio as a floor', () => {
    const f = (step: number, minLrRatio = 0): number => linearFactor({ step, totalSteps: T, warmupSteps: W, minLrRatio })
    expect(f(3)).toBeCloseTo(0.3, 15)
    expect(f(10)).toBe(1) // (100 − 10)/90
    expect(f(55)).toBe(0.5) // 45/90
    expect(f(100)).toBe(0)
    expect(f(91, 0.2)).toBe(0.2) // 9/90 = 0.1 < 0.2
    expect(f(64, 0.2)).toBeCloseTo(0.4, 15) // 36/90
  })
})

describe('Constant', () => {
  it('warms up then holds 1, and ignores min_learning_rate_ratio (as H2O)', () => {
    expect(constantFactor({ step: 3, totalSteps: T, warmupSteps: 4 })).toBe(0.75)
    expect(constantFactor({ step: 4, totalSteps: T, warmupSteps: 4 })).toBe(1)
    expect(constantFactor({ step: 99, totalSteps: T, warmupSteps: 4, minLrRatio: 0.5 })).toBe(1)
  })
})

describe('warmup_epochs → steps', () => {
  it('multiplies by batches per epoch without rounding, as H2O', () => {
    expect(scheduleSteps(50, 0.5, 4)).toEqual({ totalSteps: 200, warmupSteps: 2 })
    expect(scheduleSteps(2, 0.25, 10)).toEqual({ totalSteps: 20, warmupSteps: 2.5 })
  })
  it('a fractional warmup: step 2 of 2.5 is at 0.8, step 3 is past warmup', () => {
    expect(cosineFactor({ step: 2, totalSteps: 20, warmupSteps: 2.5 })).toBeCloseTo(0.8, 15)
    // progress (3 − 2.5)/17.5 = 1/35 → ½(1 + cos(π/35))
    expect(cosineFactor({ step: 3, totalSteps: 20, warmupSteps: 2.5 })).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 35)), 15)
  })
  it('a warmup shorter than one step never divides by less than 1', () => {
    expect(linearFactor({ step: 0, totalSteps: 10, warmupSteps: 0.5 })).toBe(0)
  })
  it('refuses an epoch with no batches', () => {
    expect(() => scheduleSteps(1, 0, 0)).toThrow(/no batch/)
  })
})
