/**
 * BLEU against sacrebleu's own published test cases (github.com/mjpost/sacrebleu):
 *   test/test_sentence_bleu.py — sentence BLEU with effective order, 13a tokenizer, each smoothing method;
 *   test/test_bleu.py          — n-gram statistics, compute_bleu from statistics, effective order, corpus BLEU.
 * Sentences and expected scores are copied from those files; the tolerances are theirs (1e-3 for
 * test_sentence_bleu.py, 1e-8 on the 0..1 scale for test_bleu.py).
 */
import { describe, expect, it } from 'vitest'
import { bleuMetric, computeBleu, corpusBleu, segmentStatistics, sentenceBleu, tokenize13a, type SmoothMethod } from '../../../src-engine/metrics/bleu'

describe('sacrebleu test/test_sentence_bleu.py', () => {
  // "Example taken from #98"
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;'
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;'
  const cases: [SmoothMethod, number | undefined, number][] = [
    ['exp', undefined, 8.493],
    ['none', undefined, 0.0],
    ['floor', undefined, 4.51688],
    ['floor', 0.1, 4.51688],
    ['floor', 0.5, 10.1],
    ['add-k', undefined, 14.882],
    ['add-k', 1, 14.882],
    ['add-k', 2, 21.389],
  ]
  for (const [smoothMethod, smoothValue, expected] of cases) {
    it(`${smoothMethod}${smoothValue === undefined ? '' : ` ${smoothValue}`}, 13a, effective order → ${expected}`, () => {
      const score = sentenceBleu(SYS, [REF], { smoothMethod, ...(smoothValue === undefined ? {} : { smoothValue }) }).score
      expect(Math.abs(score - expected)).toBeLessThan(1e-3)
    })
  }
  it('the default (the metric H2O uses: exp, effective order, case kept) gives 8.493', () => {
    expect(Math.abs(sentenceBleu(SYS, [REF]).score - 8.493)).toBeLessThan(1e-3)
  })
  // "Example taken from #141": no match at all scores 0 whatever the smoothing
  for (const [smoothMethod, smoothValue] of [['exp'], ['none'], ['floor'], ['floor', 0.1], ['add-k'], ['add-k', 1]] as [SmoothMethod, number?][]) {
    it(`no overlap scores 0 with ${smoothMethod} ${smoothValue ?? ''}`, () => {
      expect(sentenceBleu('this is a cat', ['okay thanks'], { smoothMethod, ...(smoothValue === undefined ? {} : { smoothValue }) }).score).toBe(0)
    })
  }
})

describe('sacrebleu test/test_bleu.py', () => {
  it('test_statistics: clipped matches and totals', () => {
    const s = segmentStatistics('am I am a character sequence', ['I am a symbol string sequence a a'])
    expect(s.correct).toEqual([4, 2, 1, 0])
    expect(s.total).toEqual([6, 5, 4, 3])
  })
  it('test_scoring: compute_bleu([9,7,5,3], [10,8,6,4], 11, 11) = 0.8375922397', () => {
    const score = computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], hypLength: 11, refLength: 11 }, { smoothMethod: 'none' }).score / 100
    expect(Math.abs(score - 0.8375922397)).toBeLessThan(1e-8)
  })
  // test_effective_order goes through raw_corpus_bleu: floor smoothing 0.01, tokenize none, effective order.
  const effectiveOrderCases: [string, string, number][] = [
    ['test', 'a test', 0.3678794411714425],
    ['a test', 'a test', 1.0],
    ['a little test', 'a test', 0.03218297948685433],
  ]
  for (const [hyp, ref, expected] of effectiveOrderCases) {
    it(`test_effective_order: "${hyp}" vs "${ref}" = ${expected}`, () => {
      const score = computeBleu(segmentStatistics(hyp, [ref]), { smoothMethod: 'floor', smoothValue: 0.01, effectiveOrder: true }).score / 100
      expect(Math.abs(score - expected)).toBeLessThan(1e-8)
    })
  }
  // "test for README example with empty hypothesis strings check"
  const refs = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ]
  const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.']
  it('test_corpus_bleu: default settings (13a, exp) = 48.530827', () => {
    expect(Math.abs(corpusBleu(hyps, refs).score - 48.530827)).toBeLessThan(1e-6)
  })
  it("test_corpus_bleu: smooth_method 'none' = 48.530827", () => {
    expect(Math.abs(corpusBleu(hyps, refs, { smoothMethod: 'none' }).score - 48.530827)).toBeLessThan(1e-6)
  })
  it('test_corpus_bleu: empty hypotheses score 0', () => {
    expect(corpusBleu(['', '', ''], refs).score).toBe(0)
  })
})

describe('13a tokenizer (rules of tokenizer_13a.py / tokenizer_re.py, applied by hand)', () => {
  it('splits punctuation, keeps decimals and thousands, splits a dash after a digit', () => {
    expect(tokenize13a('Hello, world.')).toBe('Hello , world .')
    expect(tokenize13a('pi is 3.14 and 1,000 cats')).toBe('pi is 3.14 and 1,000 cats')
    expect(tokenize13a('well-known 5-3')).toBe('well-known 5 - 3')
    expect(tokenize13a('&quot;hi&quot; &amp; (bye)!')).toBe('" hi " & ( bye ) !')
    // the symbol ranges skip 0x27: an apostrophe stays inside its word
    expect(tokenize13a("it's $5")).toBe("it's $ 5")
    expect(tokenize13a('line one-\nline two <skipped>')).toBe('line oneline two')
  })
})

describe('the BLEU validation metric', () => {
  it('averages per-sample sentence BLEU; an empty target scores 0 (as H2O)', () => {
    const { perSample, mean } = bleuMetric(['a test', 'anything', 'The dog bit the man.'], ['a test', '', 'The dog bit the man.'])
    expect(perSample[0]).toBeCloseTo(100, 10)
    expect(perSample[1]).toBe(0)
    expect(perSample[2]).toBeCloseTo(100, 10)
    expect(mean).toBeCloseTo(200 / 3, 12)
  })
  it('refuses mismatched lengths', () => {
    expect(() => bleuMetric(['a'], [])).toThrow(/one prediction per target/)
  })
})
