/**
 * Token lengths of the rows under a mapping, for the dataset page's histogram: prompt (system + prompt
 * columns) and answer, each with its EOS token as add_eos_token_to_prompt/answer (default true) adds it,
 * and the share of rows that max_length_prompt, max_length_answer and max_length would cut, the way the
 * training pipeline truncates (prompt and answer first, then the joined sequence).
 */
import type { ColumnMapping, TokenLengthStats } from '../../src-shared/datasets'
import type { Tokenizer } from '../tokenizers/tokenizer'
import { rowTexts } from './columns'
import type { DataRow } from './table'

export interface LengthLimits {
  maxLengthPrompt: number
  maxLengthAnswer: number
  maxLength: number
}

function summary(values: number[]): { mean: number; max: number; p95: number } {
  if (values.length === 0) return { mean: 0, max: 0, p95: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, max: sorted[sorted.length - 1]!, p95 }
}

/** 1, 2, 5 × 10^k: the smallest such width that covers `max` in at most `count` bins. */
function niceWidth(max: number, count: number): number {
  const raw = Math.max(1, max / count)
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power
  return 10 * power
}

/** Equal-width bins [from, to) over the values; `cut` counts the values flagged in `cut`. */
export function histogram(values: readonly number[], binCount = 20, cut: readonly boolean[] = []): { from: number; to: number; count: number; cut: number }[] {
  const max = values.length > 0 ? Math.max(...values) : 0
  const width = niceWidth(max + 1, binCount)
  const bins = Array.from({ length: Math.floor(max / width) + 1 }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0, cut: 0 }))
  values.forEach((v, i) => {
    const bin = bins[Math.floor(v / width)]!
    bin.count++
    if (cut[i]) bin.cut++
  })
  return bins
}

export interface LengthOptions {
  addEosToPrompt?: boolean
  addEosToAnswer?: boolean
}

/** Counts rows one at a time, so a caller can spread a large dataset over several event-loop turns. */
export function createLengthCounter(tokenizer: Tokenizer, mapping: ColumnMapping, limits: LengthLimits, options: LengthOptions = {}) {
  const eosPrompt = options.addEosToPrompt === false ? 0 : 1
  const eosAnswer = options.addEosToAnswer === false ? 0 : 1
  const prompts: number[] = []
  const answers: number[] = []
  const totals: number[] = []
  const cutRows: boolean[] = []
  const cut = { prompt: 0, answer: 0, total: 0, any: 0 }
  return {
    add(row: DataRow): void {
      const { system, prompt, answer } = rowTexts(row, mapping)
      const p = tokenizer.encode(system + prompt).length + eosPrompt
      const a = tokenizer.encode(answer).length + eosAnswer
      prompts.push(p)
      answers.push(a)
      totals.push(p + a)
      const cutPrompt = p > limits.maxLengthPrompt
      const cutAnswer = a > limits.maxLengthAnswer
      const cutTotal = Math.min(p, limits.maxLengthPrompt) + Math.min(a, limits.maxLengthAnswer) > limits.maxLength
      if (cutPrompt) cut.prompt++
      if (cutAnswer) cut.answer++
      if (cutTotal) cut.total++
      if (cutPrompt || cutAnswer || cutTotal) cut.any++
      cutRows.push(cutPrompt || cutAnswer || cutTotal)
    },
    result(): TokenLengthStats {
      const n = totals.length
      const share = (k: number) => (n === 0 ? 0 : k / n)
      return {
        tokenizer: tokenizer.description,
        rows: n,
        bins: histogram(totals, 20, cutRows),
        prompt: summary(prompts),
        answer: summary(answers),
        total: summary(totals),
        truncated: { prompt: share(cut.prompt), answer: share(cut.answer), total: share(cut.total), any: share(cut.any) },
        limits: { ...limits },
      }
    },
  }
}

export function tokenLengths(tokenizer: Tokenizer, rows: readonly DataRow[], mapping: ColumnMapping, limits: LengthLimits, options: LengthOptions = {}): TokenLengthStats {
  const counter = createLengthCounter(tokenizer, mapping, limits, options)
  for (const row of rows) counter.add(row)
  return counter.result()
}
