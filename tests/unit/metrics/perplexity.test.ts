/** Perplexity from per-token NLL and from logits, with values worked out by hand. */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { PerplexityAccumulator } from '../../../src-engine/metrics/perplexity'
import { IGNORE_INDEX } from '../../../src-engine/training/cross-entropy'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const ln = Math.log

describe('PerplexityAccumulator', () => {
  it('per sample exp(mean NLL), their mean (H2O), and the corpus value', () => {
    const acc = new PerplexityAccumulator()
    // batch 1, two samples of T = 3:
    //   sample 0 label tokens NLL ln 2, ln 8 → mean ln 4 → 4
    //   sample 1 label token NLL ln 3 → 3
    acc.addBatch(Float32Array.from([ln(2), ln(8), 0, 0, ln(3), 0]), Int32Array.from([5, 6, IGNORE_INDEX, IGNORE_INDEX, 7, IGNORE_INDEX]), 2, 3)
    // batch 2, one sample with no label token
    acc.addBatch(Float32Array.from([0, 0]), Int32Array.from([IGNORE_INDEX, IGNORE_INDEX]), 1, 2)
    const r = acc.result()
    expect(r.perSample[0]).toBeCloseTo(4, 5)
    expect(r.perSample[1]).toBeCloseTo(3, 5)
    expect(r.perSample[2]).toBeNaN()
    expect(r.mean).toBeCloseTo(3.5, 5)
    // exp((ln 2 + ln 8 + ln 3)/3) = 48^(1/3)
    expect(r.corpus).toBeCloseTo(Math.cbrt(48), 5)
  })
  it('from logits: uniform logits over V = 5 give perplexity 5; a sure prediction gives 1', async () => {
    const acc = new PerplexityAccumulator()
    const logits = tf.tensor3d([0, 0, 0, 0, 0, 50, 0, 0, 0, 0], [2, 1, 5])
    await acc.addLogits(logits, Int32Array.from([3, 0]))
    const r = acc.result()
    expect(r.perSample[0]).toBeCloseTo(5, 4)
    expect(r.perSample[1]).toBeCloseTo(1, 4)
    expect(r.mean).toBeCloseTo(3, 4)
    expect(r.corpus).toBeCloseTo(Math.sqrt(5), 4)
    logits.dispose()
  })
  it('no label token at all: NaN, not a crash', () => {
    const acc = new PerplexityAccumulator()
    acc.addBatch(Float32Array.from([0]), Int32Array.from([IGNORE_INDEX]), 1, 1)
    expect(acc.result().mean).toBeNaN()
    expect(acc.result().corpus).toBeNaN()
  })
  it('refuses mismatched sizes', () => {
    expect(() => new PerplexityAccumulator().addBatch(new Float32Array(2), new Int32Array(3), 1, 3)).toThrow(/perplexity needs/)
  })
})
