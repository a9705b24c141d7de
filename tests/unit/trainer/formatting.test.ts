/**
 * Prompt formatting, truncation, label masking, splits and batching, on hand-worked examples with a
 * character tokenizer (one id per character, its char code; EOS = 0), so every expected id is readable.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigSchema, type ConfigInput } from '../../../src-shared/config'
import { resolveBackbone } from '../../../src-engine/training/backbone'
import { batchesPerEpoch, epochOrder, makeBatch, paddedLength, quantile } from '../../../src-engine/training/batching'
import { IGNORE_INDEX } from '../../../src-engine/training/cross-entropy'
import { chainRows, loadSplitRows, promptFormatFromConfig, rowToTexts, tokenizeSample, validationRowCount } from '../../../src-engine/training/dataset'
import { plannedSteps } from '../../../src-engine/training/trainer'
import { isLoraTarget, parseTargetModules } from '../../../src-engine/training/trainable'
import type { Tokenizer } from '../../../src-engine/tokenizers'

const EOS = 0
const charTokenizer: Tokenizer = {
  description: 'characters',
  vocabSize: 65536,
  bosTokenId: null,
  eosTokenId: EOS,
  padTokenId: null,
  encode: (text) => [...text].map((c) => c.codePointAt(0)!),
  decode: (ids) => ids.filter((i) => i !== EOS).map((i) => String.fromCodePoint(i)).join(''),
  tokens: (ids) => ids.map((i) => String.fromCodePoint(i)),
  tokenToId: (token) => token.codePointAt(0),
  createStreamDecoder: () => ({ push: (id) => String.fromCodePoint(id), flush: () => '' }),
  applyChatTemplate: () => null,
}
const ids = (text: string) => [...text].map((c) => c.codePointAt(0)!)

function config(input: ConfigInput) {
  return ConfigSchema.parse(input)
}

describe('prompt formatting as H2O LLM Studio', () => {
  it('joins prompt columns, inserts the markers (escapes decoded) and EOS tokens', () => {
    const format = promptFormatFromConfig(config({
      dataset: { prompt_column: ['q', 'ctx'], prompt_column_separator: '\\n', text_prompt_start: '<P>', text_answer_separator: '<A>', system_column: 's', text_system_start: '<S>' },
    }))
    const sample = tokenizeSample(charTokenizer, format, { system: 'sy', prompt: 'ab\ncd', answer: 'xy' })
    // <S>sy EOS | <P>ab\ncd EOS <A> | xy EOS   (add_eos_token_to_system/prompt/answer default true)
    const expected = [...ids('<S>sy'), EOS, ...ids('<P>ab\ncd'), EOS, ...ids('<A>'), ...ids('xy'), EOS]
    expect(sample.ids).toEqual(expected)
    expect(sample.promptLength).toBe(expected.length - 3)
    expect(sample.labels).toEqual(expected) // mask_prompt_labels false: every token is a label
  })

  it('without EOS flags the separator follows the prompt text directly; mask_prompt_labels hides the prompt', () => {
    const format = promptFormatFromConfig(config({ dataset: { add_eos_token_to_prompt: false, add_eos_token_to_answer: false, text_answer_separator: ':', mask_prompt_labels: true } }))
    const sample = tokenizeSample(charTokenizer, format, { system: '', prompt: 'hi', answer: 'yo' })
    expect(sample.ids).toEqual(ids('hi:yo'))
    expect(sample.labels).toEqual([IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, ...ids('yo')])
  })

  it('truncates the prompt from the left, the answer from the right, then the whole keeping its end', () => {
    const format = promptFormatFromConfig(config({
      dataset: { add_eos_token_to_prompt: false, mask_prompt_labels: true },
      tokenizer: { max_length_prompt: 3, max_length_answer: 4, max_length: 5 },
    }))
    const sample = tokenizeSample(charTokenizer, format, { system: '', prompt: 'abcdef', answer: 'uvwxyz' })
    // prompt keeps "def", answer "uvwx" (EOS cut off: it is the 7th), joined "defuvwx" → last 5: "fuvwx"
    expect(sample.ids).toEqual(ids('fuvwx'))
    expect(sample.promptLength).toBe(1)
    expect(sample.labels).toEqual([IGNORE_INDEX, ...ids('uvwx')])
    expect(sample.promptIds).toEqual(ids('def'))
  })
})

describe('conversations (a messages column)', () => {
  it('formats earlier turns as prompt + answer, system turns as the system text, the last assistant turn as the answer', () => {
    const format = promptFormatFromConfig(config({ dataset: { prompt_column: ['messages'], text_prompt_start: '<P>', text_answer_separator: '<A>', mask_prompt_labels: true } }))
    const row = {
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'u1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'u2' },
        { role: 'assistant', content: 'a2' },
      ],
    }
    const texts = rowToTexts(row, format, { file: 'chat.jsonl', row: 0 })
    expect(texts).toEqual({ system: 'S', prompt: 'u2', answer: 'a2', history: [{ prompt: 'u1', answer: 'a1' }] })
    const sample = tokenizeSample(charTokenizer, format, texts)
    // S EOS | <P>u1 EOS <A> | a1 EOS | <P>u2 EOS <A> | a2 EOS ; labels: both answers, prompts masked
    const turn1 = [...ids('S'), EOS, ...ids('<P>u1'), EOS, ...ids('<A>')]
    const turn2 = [...ids('<P>u2'), EOS, ...ids('<A>')]
    expect(sample.ids).toEqual([...turn1, ...ids('a1'), EOS, ...turn2, ...ids('a2'), EOS])
    const masked = (n: number) => new Array<number>(n).fill(IGNORE_INDEX)
    expect(sample.labels).toEqual([...masked(turn1.length), ...ids('a1'), EOS, ...masked(turn2.length), ...ids('a2'), EOS])
    expect(sample.promptIds).toEqual([...turn1, ...ids('a1'), EOS, ...turn2])
    expect(() => rowToTexts({ messages: [{ role: 'user', content: 'x' }] }, format, { file: 'chat.jsonl', row: 4 })).toThrow('chat.jsonl, row 5: the "messages" conversation has no assistant turn to learn.')
  })
})

describe('chained conversations (parent_id_column)', () => {
  const rows = [
    { id: 'a', parent_id: null, instruction: 'q1', output: 'r1' },
    { id: 'b', parent_id: 'a', instruction: 'q2', output: 'r2' },
    { id: 'c', parent_id: 'b', instruction: 'q3', output: 'r3' },
    { id: 'd', parent_id: 'a', instruction: 'q4', output: 'r4' },
  ]
  const chained = (extra: ConfigInput['dataset'] = {}) =>
    promptFormatFromConfig(config({ dataset: { parent_id_column: 'parent_id', add_eos_token_to_prompt: false, add_eos_token_to_answer: false, text_answer_separator: ':', ...extra } }))

  it('puts the parents\' turns before each row, oldest first', () => {
    const texts = chainRows(rows, rows, chained(), 'oasst.csv')
    expect(texts.map((t) => t.history?.map((h) => h.prompt) ?? [])).toEqual([[], ['q1'], ['q1', 'q2'], ['q1']])
    const sample = tokenizeSample(charTokenizer, chained({ mask_prompt_labels: true }), texts[2]!)
    expect(sample.ids).toEqual(ids('q1:r1q2:r2q3:r3'))
    expect(sample.labels).toEqual([...[-100, -100, -100], ...ids('r1'), -100, -100, -100, ...ids('r2'), -100, -100, -100, ...ids('r3')])
  })

  it('limit_chained_samples keeps whole conversations only; only_last_answer scores the last answer alone', () => {
    const whole = chainRows(rows, rows, chained({ limit_chained_samples: true }), 'oasst.csv')
    expect(whole.map((t) => t.prompt)).toEqual(['q3', 'q4'])
    const sample = tokenizeSample(charTokenizer, chained({ only_last_answer: true }), whole[1]!)
    expect(sample.ids).toEqual(ids('q1:r1q4:r4'))
    expect(sample.labels).toEqual([...ids('q1:'), -100, -100, ...ids('q4:r4')])
  })
})

describe('batches', () => {
  const samples = ['abc', 'a', 'abcdef', 'ab'].map((t) => ({ ids: ids(t), labels: ids(t), promptLength: 0, promptIds: [], texts: { system: '', prompt: '', answer: t } }))

  it('left-pads to the longest, masks padding out of labels and attention, positions count real tokens', () => {
    const batch = makeBatch(samples, [1, 0], 7)
    expect(batch.time).toBe(3)
    expect([...batch.ids]).toEqual([7, 7, 97, 97, 98, 99])
    expect([...batch.labels]).toEqual([IGNORE_INDEX, IGNORE_INDEX, 97, 97, 98, 99])
    expect(batch.mask).toEqual([[0, 0, 1], [1, 1, 1]])
    expect(batch.positions).toEqual([[1, 1, 0], [0, 1, 2]])
    expect(batch.tokens).toBe(4)
  })

  it('padding_quantile cuts to floor(torch.quantile(lengths, q)), keeping each row\'s end', () => {
    // lengths 3, 1, 6, 2 → sorted 1 2 3 6; q = 0.5 → position 1.5 → 2.5 → floor 2
    expect(quantile([3, 1, 6, 2], 0.5)).toBe(2.5)
    expect(paddedLength([3, 1, 6, 2], 0.5)).toBe(2)
    expect(paddedLength([3, 1, 6, 2], 1)).toBe(6)
    const batch = makeBatch(samples, [0, 1, 2, 3], 7, 0.5)
    expect(batch.time).toBe(2)
    expect([...batch.ids]).toEqual([98, 99, 7, 97, 101, 102, 97, 98])
  })

  it('drop_last_batch, seeded epoch order, planned optimizer steps with accumulation and fractional epochs', () => {
    expect(batchesPerEpoch(10, 4, true)).toBe(2)
    expect(batchesPerEpoch(10, 4, false)).toBe(3)
    const e0 = epochOrder(10, 1, 0)
    expect([...e0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(epochOrder(10, 1, 0)).toEqual(e0)
    expect(epochOrder(10, 1, 1)).not.toEqual(e0)
    expect(epochOrder(10, 2, 0)).not.toEqual(e0)
    // 5 batches an epoch, accumulation 2: steps after batches 2, 4, 5 of each epoch → 3 per epoch
    expect(plannedSteps(10, 5, 2)).toBe(6)
    // 1.5 epochs of 4 batches = 6 batches; accumulation 4: after batch 4 and after the run's last (6)
    expect(plannedSteps(6, 4, 4)).toBe(2)
  })
})

describe('splits and LoRA targets', () => {
  it('automatic validation: validation_size of the rows, at least one, seeded; data_sample keeps a seeded fraction', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ instruction: `q${i}`, output: `a${i}` }))
    const read = async (file: string) => ({ file, format: 'csv' as const, columns: ['instruction', 'output'], rows })
    expect(validationRowCount(20, 0.01)).toBe(1)
    const c = config({ dataset: { train_dataframe: 'x.csv', validation_size: 0.25 } })
    const a = await loadSplitRows(c, 1, read)
    expect(a.validation).toHaveLength(5)
    expect(a.train).toHaveLength(15)
    expect(new Set([...a.train, ...a.validation].map((r) => r.instruction)).size).toBe(20)
    expect((await loadSplitRows(c, 1, read)).validation).toEqual(a.validation)
    expect((await loadSplitRows(c, 2, read)).validation).not.toEqual(a.validation)
    const sampled = await loadSplitRows(config({ dataset: { train_dataframe: 'x.csv', validation_size: 0.25, data_sample: 0.4, data_sample_choice: ['train'] } }), 1, read)
    expect(sampled.train).toHaveLength(6)
    expect(sampled.validation).toEqual(a.validation)
    // train_validation_data: the validation rows train too
    expect((await loadSplitRows(config({ dataset: { train_dataframe: 'x.csv', validation_size: 0.25 }, training: { train_validation_data: true } }), 1, read)).train).toHaveLength(20)
    // a column the config names but the file lacks: the file, the column and the choices
    await expect(loadSplitRows(config({ dataset: { train_dataframe: 'x.csv', answer_column: 'response' } }), 1, read)).rejects.toThrow('x.csv has no column "response". Its columns are "instruction", "output"')
  })

  it('matches module names by suffix as PEFT; empty targets every linear but the head', () => {
    expect(parseTargetModules(' q_proj, v_proj ,')).toEqual(['q_proj', 'v_proj'])
    expect(isLoraTarget('model.layers.0.self_attn.q_proj', ['q_proj'])).toBe(true)
    expect(isLoraTarget('model.layers.0.self_attn.xq_proj', ['q_proj'])).toBe(false)
    expect(isLoraTarget('transformer.h.1.mlp.c_proj', [])).toBe(true)
    expect(isLoraTarget('lm_head', [])).toBe(false)
  })
})

describe('llm_backbone', () => {
  it('is a model folder, or a Hub id found in the Hugging Face cache layout (refs/<revision> → snapshots/<commit>)', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-cache-'))
    const previous = process.env.HF_HUB_CACHE
    process.env.HF_HUB_CACHE = cache
    try {
      const repo = path.join(cache, 'models--org--tiny')
      for (const commit of ['c1', 'c2']) {
        fs.mkdirSync(path.join(repo, 'snapshots', commit), { recursive: true })
        fs.writeFileSync(path.join(repo, 'snapshots', commit, 'config.json'), '{}')
      }
      fs.mkdirSync(path.join(repo, 'refs'))
      fs.writeFileSync(path.join(repo, 'refs', 'main'), 'c1\n')
      expect(resolveBackbone('org/tiny')).toBe(path.join(repo, 'snapshots', 'c1'))
      expect(resolveBackbone('org/tiny@c2')).toBe(path.join(repo, 'snapshots', 'c2'))
      expect(resolveBackbone(path.join(repo, 'snapshots', 'c2'))).toBe(path.join(repo, 'snapshots', 'c2'))
      expect(() => resolveBackbone('org/absent')).toThrow(`llm_backbone "org/absent" is not in the Hugging Face cache (${cache}): download it`)
      expect(() => resolveBackbone('./no/such/folder')).toThrow('is neither a model folder with a config.json nor a Hugging Face model id')
    } finally {
      if (previous === undefined) delete process.env.HF_HUB_CACHE
      else process.env.HF_HUB_CACHE = previous
      fs.rmSync(cache, { recursive: true, force: true })
    }
  })
})
