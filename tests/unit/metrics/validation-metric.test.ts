/** Metric names from the config and the direction save_best_checkpoint compares in. */
import { describe, expect, it } from 'vitest'
import { isBetterMetric, validationMetric } from '../../../src-engine/metrics/validation-metric'

describe('validationMetric', () => {
  it('BLEU and the judge are maximised and need generation; Perplexity is minimised and does not', () => {
    expect(validationMetric('BLEU')).toEqual({ name: 'BLEU', higherIsBetter: true, needsGeneration: true })
    expect(validationMetric('Perplexity')).toEqual({ name: 'Perplexity', higherIsBetter: false, needsGeneration: false })
    expect(validationMetric('OpenAI API').higherIsBetter).toBe(true)
  })
  it("reads H2O's name GPT as the judge and refuses unknown names", () => {
    expect(validationMetric('GPT').name).toBe('OpenAI API')
    expect(() => validationMetric('ROUGE')).toThrow(/Unknown metric ROUGE/)
  })
  it('compares in the metric direction; NaN never wins', () => {
    const bleu = validationMetric('BLEU')
    const ppl = validationMetric('Perplexity')
    expect(isBetterMetric(bleu, 30, 20)).toBe(true)
    expect(isBetterMetric(bleu, 10, 20)).toBe(false)
    expect(isBetterMetric(ppl, 3, 5)).toBe(true)
    expect(isBetterMetric(ppl, 7, 5)).toBe(false)
    expect(isBetterMetric(ppl, 7, undefined)).toBe(true)
    expect(isBetterMetric(ppl, Number.NaN, 5)).toBe(false)
    expect(isBetterMetric(bleu, 1, Number.NaN)).toBe(true)
  })
})
