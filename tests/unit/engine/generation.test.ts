/**
 * Generation strategies and logits processors against small cases worked by hand from transformers'
 * definitions (4.40: RepetitionPenaltyLogitsProcessor, MinNewTokensLengthLogitsProcessor, Temperature/TopK/TopP
 * warpers, BeamSearchScorer with length_penalty 1.0). Expected values are written from the definitions.
 */
import { describe, expect, it } from 'vitest'
import { beamSearch, generate } from '../../../src-engine/generation/generate'
import { applyMinNewTokens, applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, sampleIndex } from '../../../src-engine/generation/processors'
import { FixedLogitsStepper, TableStepper } from './table-stepper'

const NEG = Number.NEGATIVE_INFINITY

describe('logits processors (transformers definitions)', () => {
  it('repetition_penalty divides positive and multiplies negative scores of seen ids, once each', () => {
    const s = Float64Array.from([2, -1, 0.5, 3])
    applyRepetitionPenalty(s, [0, 1, 1], 2)
    expect([...s]).toEqual([1, -2, 0.5, 3])
  })

  it('min_new_tokens masks EOS until enough new tokens', () => {
    const s = Float64Array.from([1, 2, 3])
    applyMinNewTokens(s, 1, 2, [2])
    expect([...s]).toEqual([1, 2, NEG])
    const t = Float64Array.from([1, 2, 3])
    applyMinNewTokens(t, 2, 2, [2])
    expect([...t]).toEqual([1, 2, 3])
  })

  it('temperature divides', () => {
    const s = Float64Array.from([1, -2])
    applyTemperature(s, 0.5)
    expect([...s]).toEqual([2, -4])
  })

  it('top_k keeps scores ≥ the k-th largest (ties survive)', () => {
    const s = Float64Array.from([1, 3, 2, 3])
    applyTopK(s, 2)
    expect([...s]).toEqual([NEG, 3, NEG, 3])
    const t = Float64Array.from([1, 4, 2, 3])
    applyTopK(t, 3)
    expect([...t]).toEqual([NEG, 4, 2, 3])
  })

  it('top_p removes the low tail whose cumulative probability ≤ 1 − top_p', () => {
    // probabilities 0.1 0.2 0.3 0.4: ascending cumulative 0.1, 0.3, 0.6, 1.0
    const logits = [0.1, 0.2, 0.3, 0.4].map(Math.log)
    const a = Float64Array.from(logits)
    applyTopP(a, 0.75) // threshold 0.25: only 0.1 goes
    expect([...a].map((x) => x === NEG)).toEqual([true, false, false, false])
    const b = Float64Array.from(logits)
    applyTopP(b, 0.35) // threshold 0.65: 0.1, 0.3, 0.6 go
    expect([...b].map((x) => x === NEG)).toEqual([true, true, true, false])
    const c = Float64Array.from(logits)
    applyTopP(c, 0.35, 2) // min_tokens_to_keep 2 keeps the two most likely
    expect([...c].map((x) => x === NEG)).toEqual([true, true, false, false])
  })

  it('inverse-CDF sampling', () => {
    expect([0.05, 0.25, 0.95].map((u) => sampleIndex([0.1, 0.2, 0.7], u))).toEqual([0, 1, 2])
    expect(sampleIndex([0, 1, 0], 0.99)).toBe(1)
  })
})

describe('greedy and sampling', () => {
  it('repetition penalty steers greedy decoding (worked by hand)', async () => {
    // logits always [1.0, 0.9, 0.0]; prompt [0]; penalty 1.5
    // step 0: 0 seen → 1.0/1.5 = 0.667 < 0.9 → 1; step 1: 0, 1 seen → 0.667 vs 0.6 → 0; step 2: → 0
    const r = await generate(new FixedLogitsStepper([1, 0.9, 0]), { promptIds: [[0]], maxNewTokens: 3, repetitionPenalty: 1.5, eosTokenIds: [] })
    expect(r.ids).toEqual([[1, 0, 0]])
  })

  it('min_new_tokens defers EOS; EOS ends the row', async () => {
    // EOS (1) is the most likely token, 2 the next
    const r = await generate(new FixedLogitsStepper([0, 5, 1]), { promptIds: [[0]], maxNewTokens: 10, minNewTokens: 2, eosTokenIds: [1] })
    expect(r.ids).toEqual([[2, 2, 1]])
    expect(r.finishReasons).toEqual(['eos'])
  })

  it('a finished row stops while the others go on', async () => {
    const table = (g: readonly number[], row: number) => (row === 0 ? [0.1, 0.6, 0.3] : [0.1, 0.3, 0.6])
    const r = await generate(new TableStepper(3, 2, table), { promptIds: [[0], [0]], maxNewTokens: 3, eosTokenIds: [1], padTokenId: 0 })
    expect(r.ids).toEqual([[1], [2, 2, 2]])
    expect(r.finishReasons).toEqual(['eos', 'length'])
  })

  it('stop strings end a row once the new text contains them', async () => {
    const letters = 'abc'
    const table = (g: readonly number[]) => (g.length % 2 === 0 ? [0.1, 0.8, 0.1] : [0.8, 0.1, 0.1]) // b a b a …
    const r = await generate(new TableStepper(3, 1, table), {
      promptIds: [[2]], maxNewTokens: 10, eosTokenIds: [], stopStrings: ['aba'], decode: (ids) => ids.map((i) => letters[i]).join(''),
    })
    expect(r.ids).toEqual([[1, 0, 1, 0]]) // "baba" is the first text containing "aba"
    expect(r.finishReasons).toEqual(['stop-string'])
  })

  it('max_time stops every row; an aborted signal stops too', async () => {
    class SlowStepper extends FixedLogitsStepper {
      override async step(): Promise<Float32Array[]> {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return super.step()
      }
    }
    const r = await generate(new SlowStepper([0, 1]), { promptIds: [[0]], maxNewTokens: 1000, eosTokenIds: [], maxTimeSeconds: 0.1 })
    expect(r.finishReasons).toEqual(['time'])
    expect(r.ids[0]!.length).toBeGreaterThan(1)
    expect(r.ids[0]!.length).toBeLessThan(100)
    const controller = new AbortController()
    controller.abort()
    const aborted = await generate(new SlowStepper([0, 1]), { promptIds: [[0]], maxNewTokens: 1000, eosTokenIds: [], signal: controller.signal })
    expect(aborted.finishReasons).toEqual(['aborted'])
    expect(aborted.ids[0]).toEqual([1])
  })

  it('top_k = 1 sampling is greedy, whatever the seed', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await generate(new FixedLogitsStepper([0.3, 2, 1.9]), { promptIds: [[0]], maxNewTokens: 4, doSample: true, topK: 1, seed, eosTokenIds: [] })
      expect(r.ids).toEqual([[1, 1, 1, 1]])
    }
  })

  it('sampling draws from softmax(logits / T): frequencies, and the same seed gives the same tokens', async () => {
    // logits log(0.2), log(0.8) at temperature 1 → P(1) = 0.8; at temperature 0.5 → 0.64/(0.64+0.04) = 0.941
    const opts = { promptIds: [[0]], maxNewTokens: 4000, doSample: true, topK: 0, eosTokenIds: [], seed: 7 }
    const logits = [Math.log(0.2), Math.log(0.8)]
    const a = await generate(new FixedLogitsStepper(logits), opts)
    const share = (ids: number[]) => ids.filter((t) => t === 1).length / ids.length
    expect(Math.abs(share(a.ids[0]!) - 0.8)).toBeLessThan(0.025)
    const b = await generate(new FixedLogitsStepper(logits), opts)
    expect(b.ids).toEqual(a.ids)
    const c = await generate(new FixedLogitsStepper(logits), { ...opts, temperature: 0.5 })
    expect(Math.abs(share(c.ids[0]!) - 0.64 / 0.68)).toBeLessThan(0.015)
    // top_p 0.5 keeps only the 0.8 token: cumulative 0.2 ≤ 0.5 removes token 0
    const d = await generate(new FixedLogitsStepper(logits), { ...opts, topP: 0.5, maxNewTokens: 200 })
    expect(share(d.ids[0]!)).toBe(1)
  })
})

describe('beam search (BeamSearchScorer, length_penalty 1.0, early_stopping False)', () => {
  it('finds the better two-token sequence that greedy misses', async () => {
    // P(first) = [.5 .4 .05 .05]; after 0: [.3 .3 .2 .2]; after 1: [.9 .05 .03 .02]
    // greedy: 0 then 0 (p .15). Beams (2): step 2 candidates [1,0] .36, [0,0] .15, [0,1] .15 → keep [1,0], [0,0]
    // finalize: scores log(.36)/2 and log(.15)/2 → [1, 0]
    const table = (g: readonly number[]) => (g.length === 0 ? [0.5, 0.4, 0.05, 0.05] : g[0] === 0 ? [0.3, 0.3, 0.2, 0.2] : [0.9, 0.05, 0.03, 0.02])
    const r = await beamSearch(new TableStepper(4, 2, table), { promptIds: [[3], [3]], maxNewTokens: 2, numBeams: 2, eosTokenIds: [] })
    expect(r.ids).toEqual([[1, 0]])
    expect(r.beamScores![0]).toBeCloseTo(Math.log(0.36) / 2, 6)
    const greedy = await generate(new TableStepper(4, 1, table), { promptIds: [[3]], maxNewTokens: 2, eosTokenIds: [] })
    expect(greedy.ids).toEqual([[0, 0]])
  })

  it('an EOS hypothesis is scored by its length and can win', async () => {
    // vocab A=0 B=1 EOS=2. step 1: [.5 .4 .1] → beams [A] (log .5), [B] (log .4); EOS is rank 2 ≥ 2 beams: not added
    // step 2: after A [.1 .1 .8], after B [.9 .05 .05]: [A,EOS] log .4 (rank 0) → hypothesis log(.4)/2;
    //         [B,A] log .36, then [A,A] log .05 (index order before [A,B]) continue
    // step 3: after [B,A] [.2 .2 .6], after [A,A] [.3 .3 .4]: [B,A,EOS] log .216 → hypothesis log(.216)/3;
    //         2 hypotheses, best running log(.216)/3 cannot beat the worst → done.
    // best: log(.4)/2 = −0.458 > log(.216)/3 = −0.511 → [A, EOS]
    const table = (g: readonly number[]) => {
      const key = g.join(',')
      return ({ '': [0.5, 0.4, 0.1], '0': [0.1, 0.1, 0.8], '1': [0.9, 0.05, 0.05], '1,0': [0.2, 0.2, 0.6], '0,0': [0.3, 0.3, 0.4] } as Record<string, number[]>)[key] ?? [0.3, 0.3, 0.4]
    }
    const r = await beamSearch(new TableStepper(3, 2, table), { promptIds: [[1], [1]], maxNewTokens: 5, numBeams: 2, eosTokenIds: [2] })
    expect(r.ids).toEqual([[0, 2]])
    expect(r.finishReasons).toEqual(['eos'])
    expect(r.beamScores![0]).toBeCloseTo(Math.log(0.4) / 2, 6)
  })
})
