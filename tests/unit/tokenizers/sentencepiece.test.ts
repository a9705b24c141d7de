/** Our SentencePiece reader against ids that the SentencePiece C++ library (0.1.97) produced (goldens). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { SentencePieceTokenizer } from '../../../src-engine/tokenizers/sentencepiece-tokenizer'
import { parseModelProto } from '../../../src-engine/tokenizers/sentencepiece/model-proto'
import { corpus, countDiff, FIXTURES, readJson } from './helpers'

interface SpmGolden {
  vocab_size: number
  bos_id: number
  eos_id: number
  unk_id: number
  pad_id: number
  ids: number[][]
  pieces: string[][]
  decoded: string[]
  id_to_piece: string[]
}

const models = ['spm-unigram', 'spm-unigram-bytes', 'spm-bpe-bytes', 'spm-bpe-nfkc']

describe.each(models)('SentencePiece %s', (name) => {
  const golden = readJson<SpmGolden>(path.join(FIXTURES, `${name}.golden.json`))
  const tokenizer = new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, `${name}.model`)), {}, `${name}.model`)

  it('reads the model proto: vocabulary, special ids', () => {
    expect(tokenizer.vocabSize).toBe(golden.vocab_size)
    expect(tokenizer.tokens([...Array(golden.vocab_size).keys()])).toEqual(golden.id_to_piece)
    expect(tokenizer.unkTokenId).toBe(golden.unk_id)
    expect(tokenizer.bosTokenId).toBe(golden.bos_id)
    expect(tokenizer.eosTokenId).toBe(golden.eos_id)
    expect(tokenizer.padTokenId).toBe(golden.pad_id < 0 ? null : golden.pad_id)
  })

  it('encodes the multilingual corpus with zero differing ids', () => {
    let diff = 0
    corpus.forEach((text, i) => {
      diff += countDiff(tokenizer.encode(text), golden.ids[i]!)
    })
    expect(diff).toBe(0)
    // Spot-check whole documents for a readable failure.
    expect(tokenizer.encodeToPieces(corpus[8]!)).toEqual(golden.pieces[8])
  })

  it('decodes as the C++ library does', () => {
    const mismatches = corpus.map((_, i) => i).filter((i) => tokenizer.decode(golden.ids[i]!) !== golden.decoded[i])
    expect(mismatches).toEqual([])
  })
})

describe('SentencePiece details', () => {
  const bytes = new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, 'spm-unigram-bytes.model')))

  it('parses normalizer and trainer specs', () => {
    const proto = parseModelProto(fs.readFileSync(path.join(FIXTURES, 'spm-bpe-bytes.model')))
    expect(proto.normalizerSpec.name).toBe('identity')
    expect(proto.normalizerSpec.removeExtraWhitespaces).toBe(false)
    expect(proto.trainerSpec.byteFallback).toBe(true)
    expect(proto.trainerSpec.padId).toBe(-1)
  })

  it('keeps user-defined symbols whole and splits control symbols written in text', () => {
    const pieces = bytes.encodeToPieces('東京都の<mask>と<ctrl1>')
    expect(pieces).toContain('東京都')
    expect(pieces).toContain('<mask>')
    expect(pieces).not.toContain('<ctrl1>')
  })

  it('falls back to bytes for unseen characters and decodes them back', () => {
    const ids = bytes.encode('😀')
    expect(bytes.tokens(ids)).toEqual(['▁', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>'])
    expect(bytes.decode(ids)).toBe('😀')
    expect(bytes.decode(ids.slice(0, 3))).toBe('\uFFFD\uFFFD')
  })

  it('adds bos/eos as tokenizer_config.json asks, and loads from a model folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-'))
    try {
      fs.copyFileSync(path.join(FIXTURES, 'spm-unigram.model'), path.join(dir, 'spiece.model'))
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'T5Tokenizer', eos_token: '</s>' }))
      const t = await loadTokenizer(dir)
      expect(t.description).toContain('SentencePiece Unigram')
      const plain = t.encode('今日はいい天気')
      expect(t.encode('今日はいい天気', { addSpecialTokens: true })).toEqual([...plain, t.eosTokenId])
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ add_bos_token: true, add_eos_token: false }))
      const llama = await loadTokenizer(dir)
      expect(llama.encode('今日', { addSpecialTokens: true })[0]).toBe(llama.bosTokenId)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('honours special tokens named by tokenizer_config.json in text (as transformers), not without one (as C++)', () => {
    const model = fs.readFileSync(path.join(FIXTURES, 'spm-unigram.model'))
    const bare = new SentencePieceTokenizer(model)
    const t5 = new SentencePieceTokenizer(model, { tokenizer_class: 'T5Tokenizer', eos_token: '</s>', unk_token: '<unk>', pad_token: '<pad>' })
    const eos = t5.eosTokenId!
    expect(bare.encode('天気</s>東京')).not.toContain(eos)
    expect(t5.encode('天気</s>東京')).toEqual([...bare.encode('天気'), eos, ...bare.encode('東京')])
    expect(t5.encode('天気</s>東京', { addSpecialTokens: true })).toEqual([...bare.encode('天気'), eos, ...bare.encode('東京'), eos])
    expect(t5.decode(t5.encode('天気</s>東京'))).toBe('天気 東京') // control tokens decode to nothing; the second piece's dummy prefix is a space
  })

  it('rejects a file that is not a SentencePiece model', () => {
    expect(() => new SentencePieceTokenizer(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(/protobuf|SentencePiece/)
  })
})
