/**
 * Column guessing for the common dataset shapes, the row checks, and token lengths with the share that the
 * max lengths cut, on a real tokenizer.json whose ASCII tokens are single characters (so lengths are
 * countable by hand: "hello" = 5 tokens, + 1 EOS).
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkRows, columnKinds, guessColumns, histogram, readDataFile, rowTexts, tokenLengths, type DataRow } from '../../../src-engine/data'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { repoRoot } from '../../helpers/cli'

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'data')

function guess(rows: DataRow[]) {
  const columns = Object.keys(rows[0]!)
  return guessColumns(columns, columnKinds(columns, rows))
}

describe('column guessing', () => {
  it('Alpaca/Dolly: instruction (+ input/context) → output', () => {
    expect(guess([{ instruction: 'a', input: 'b', output: 'c' }])).toEqual({ prompt: ['instruction', 'input'], answer: 'output', system: null, messages: null })
    expect(guess([{ index: '1', category: 'qa', Instruction: 'a', context: '', response: 'c' }])).toEqual({
      prompt: ['Instruction', 'context'],
      answer: 'response',
      system: null,
      messages: null,
    })
  })

  it('prompt/response, question/answer, with a system column', () => {
    expect(guess([{ system: 's', prompt: 'p', response: 'r' }])).toEqual({ prompt: ['prompt'], answer: 'response', system: 'system', messages: null })
    expect(guess([{ id: 1, question: 'q', answer: 'a' }])).toEqual({ prompt: ['question'], answer: 'answer', system: null, messages: null })
  })

  it('a messages list, whatever its column is called', async () => {
    const chat = await readDataFile(path.join(fixtures, 'chat.jsonl'))
    expect(columnKinds(chat.columns, chat.rows)).toEqual({ messages: 'messages' })
    expect(guess(chat.rows)).toEqual({ prompt: [], answer: null, system: null, messages: 'messages' })
    expect(guess([{ turns: [{ role: 'user', content: 'x' }] }]).messages).toBe('turns')
  })

  it('nothing recognisable: no mapping', () => {
    expect(guess([{ a: 'x', b: 'y' }])).toEqual({ prompt: [], answer: null, system: null, messages: null })
  })

  it('row texts: prompt columns joined by a blank line; messages: last assistant turn is the answer', async () => {
    const mapping = { prompt: ['instruction', 'input'], answer: 'output', system: null, messages: null }
    expect(rowTexts({ instruction: 'Translate', input: 'cat', output: '猫' }, mapping)).toEqual({ system: '', prompt: 'Translate\n\ncat', answer: '猫' })
    expect(rowTexts({ instruction: 'Say hi', input: '', output: 'hi' }, mapping).prompt).toBe('Say hi')
    const chat = await readDataFile(path.join(fixtures, 'chat.jsonl'))
    const m = { prompt: [], answer: null, system: null, messages: 'messages' }
    expect(rowTexts(chat.rows[0]!, m)).toEqual({ system: 'You are kind.', prompt: 'こんにちは', answer: 'こんにちは！' })
    expect(rowTexts(chat.rows[1]!, m)).toEqual({ system: '', prompt: 'Hi\n\nHello\n\nBye', answer: 'Bye!' })
  })
})

describe('row checks', () => {
  const mapping = { prompt: ['instruction'], answer: 'output', system: null, messages: null }
  it('finds empty prompts and answers, duplicates and over-long rows with their 1-based row numbers', () => {
    const rows = [
      { instruction: 'a', output: 'b' },
      { instruction: '  ', output: 'b' },
      { instruction: 'a', output: 'b' },
      { instruction: 'c', output: '' },
      { instruction: 'x'.repeat(30), output: 'y' },
      { instruction: 'a', output: 'b' },
    ]
    expect(checkRows(rows, mapping, 20)).toEqual([
      { kind: 'emptyPrompt', count: 1, rows: [2] },
      { kind: 'emptyAnswer', count: 1, rows: [4] },
      { kind: 'duplicate', count: 2, rows: [3, 6] },
      { kind: 'tooLong', count: 1, rows: [5], limit: 20 },
    ])
  })
  it('clean rows: no warnings; no mapping: one warning', () => {
    expect(checkRows([{ instruction: 'a', output: 'b' }], mapping)).toEqual([])
    expect(checkRows([{ instruction: 'a' }], { prompt: [], answer: null, system: null, messages: null })).toEqual([{ kind: 'noMapping', count: 1, rows: [] }])
  })
})

describe('token lengths', () => {
  it('counts prompt and answer tokens (+1 EOS each) and the share each limit cuts', async () => {
    const tokenizer = await loadTokenizer(path.join(fixtures, 'tokenizer'))
    expect(tokenizer.encode('hello').length).toBe(5)
    const rows = [
      { instruction: 'hello', output: 'world' }, // prompt 6, answer 6, total 12
      { instruction: 'a'.repeat(19), output: 'b' }, // prompt 20 (> 10), answer 2, total 22; cut: 10 + 2 = 12
      { instruction: 'hi', output: 'c'.repeat(14) }, // prompt 3, answer 15 (> 10), cut: 3 + 10 = 13 > 12
      { instruction: 'abc', output: 'defgh' }, // prompt 4, answer 6, total 10
    ]
    const stats = tokenLengths(tokenizer, rows, { prompt: ['instruction'], answer: 'output', system: null, messages: null }, { maxLengthPrompt: 10, maxLengthAnswer: 10, maxLength: 12 })
    expect(stats.rows).toBe(4)
    expect(stats.prompt).toEqual({ mean: (6 + 20 + 3 + 4) / 4, max: 20, p95: 20 })
    expect(stats.answer).toEqual({ mean: (6 + 2 + 15 + 6) / 4, max: 15, p95: 15 })
    expect(stats.total.max).toBe(22)
    expect(stats.truncated).toEqual({ prompt: 0.25, answer: 0.25, total: 0.25, any: 0.5 })
    expect(stats.bins.reduce((n, b) => n + b.count, 0)).toBe(4)
    // Totals 12, 22, 18, 10 in bins of width 2: rows 2 and 3 (22 and 18 tokens) are the cut ones.
    expect(stats.bins.filter((b) => b.cut > 0).map((b) => [b.from, b.cut])).toEqual([
      [18, 1],
      [22, 1],
    ])
    expect(stats.tokenizer).toBe('tokenizer.json (BPE)')
  })

  it('histogram bins have a 1-2-5 width and cover every value', () => {
    expect(histogram([0, 5, 9, 10, 95], 10)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: [3, 1, 0, 0, 0, 0, 0, 0, 0, 1][i], cut: 0 })),
    )
    expect(histogram([3, 3], 20)).toEqual([
      { from: 0, to: 1, count: 0, cut: 0 },
      { from: 1, to: 2, count: 0, cut: 0 },
      { from: 2, to: 3, count: 0, cut: 0 },
      { from: 3, to: 4, count: 2, cut: 0 },
    ])
  })
})
