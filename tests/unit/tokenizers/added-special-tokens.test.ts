/** tokenizer.add_prompt_answer_tokens' tokenizer: new special tokens over the demo backbone's byte-level BPE (vocab_size 530). */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { AddedSpecialTokensTokenizer } from '../../../src-engine/tokenizers/added-special-tokens'
import { jsonFixture } from './helpers'

const backbone = path.resolve('resources/demo-backbone')

describe('AddedSpecialTokensTokenizer', () => {
  it('gives each new marker one id after the vocabulary and splits the text on them', async () => {
    const base = await loadTokenizer(backbone)
    const tokenizer = new AddedSpecialTokensTokenizer(base, ['<|prompt|>', '<|answer|>'], 530)
    expect(tokenizer.added).toEqual([{ content: '<|prompt|>', id: 530, isNew: true }, { content: '<|answer|>', id: 531, isNew: true }])
    expect(tokenizer.newTokenCount).toBe(2)
    expect(tokenizer.vocabSize).toBe(532)
    // without the wrapper the marker is several byte-level pieces
    expect(base.encode('<|prompt|>').length).toBeGreaterThan(1)
    const ids = tokenizer.encode('<|prompt|>The capital<|answer|>Tokyo')
    expect(ids).toEqual([530, ...base.encode('The capital'), 531, ...base.encode('Tokyo')])
    expect(tokenizer.decode(ids)).toBe('<|prompt|>The capital<|answer|>Tokyo')
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('The capitalTokyo')
    expect(tokenizer.tokens([530, 531])).toEqual(['<|prompt|>', '<|answer|>'])
    expect(tokenizer.tokenToId('<|answer|>')).toBe(531)
    const stream = tokenizer.createStreamDecoder({ skipSpecialTokens: true })
    expect([...ids.map((id) => stream.push(id)), stream.flush()].join('')).toBe('The capitalTokyo')
  })

  it('reuses the id of a marker that is already one token and adds nothing for it', async () => {
    const base = await loadTokenizer(backbone)
    const tokenizer = new AddedSpecialTokensTokenizer(base, ['<|endoftext|>', '', '<|answer|>'], 530)
    expect(tokenizer.added).toEqual([{ content: '<|endoftext|>', id: 0, isNew: false }, { content: '<|answer|>', id: 530, isNew: true }])
    expect(tokenizer.newTokenCount).toBe(1)
    expect(tokenizer.encode('a<|endoftext|>b<|answer|>')).toEqual([...base.encode('a'), 0, ...base.encode('b'), 530])
  })

  it('matches the longest marker first', async () => {
    const base = await loadTokenizer(backbone)
    const tokenizer = new AddedSpecialTokensTokenizer(base, ['<|x|>', '<|x|>>'], 530)
    expect(tokenizer.encode('<|x|>>hi<|x|>')).toEqual([531, ...base.encode('hi'), 530])
  })

  it("keeps the base's post-processor (BERT's [CLS] … [SEP]) around the ids", async () => {
    const base = await loadTokenizer(jsonFixture('wordpiece-bert'))
    const [cls, sep] = [base.tokenToId('[CLS]')!, base.tokenToId('[SEP]')!]
    expect(base.encode('hi', { addSpecialTokens: true })).toEqual([cls, ...base.encode('hi'), sep])
    const tokenizer = new AddedSpecialTokensTokenizer(base, ['<|x|>'], base.vocabSize)
    expect(tokenizer.encode('<|x|>hi', { addSpecialTokens: true })).toEqual([cls, base.vocabSize, ...base.encode('hi'), sep])
  })
})
