/**
 * Streaming decode never shows half a character: a multi-byte character whose bytes arrive in separate
 * tokens (SentencePiece / Llama-2-style byte fallback <0xE3><0x81><0x82>, or byte-level BPE pieces) appears
 * whole, once, and the concatenated stream equals the full decode.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { HfJsonTokenizer } from '../../../src-engine/tokenizers/hf-tokenizer-json'
import { SentencePieceTokenizer } from '../../../src-engine/tokenizers/sentencepiece-tokenizer'
import type { Tokenizer } from '../../../src-engine/tokenizers/tokenizer'
import { corpus, FIXTURES, jsonFixture, readJson } from './helpers'

function stream(t: Tokenizer, ids: readonly number[]): string[] {
  const d = t.createStreamDecoder()
  const chunks = ids.map((id) => d.push(id))
  chunks.push(d.flush())
  return chunks
}

const tokenizers: [string, () => Tokenizer][] = [
  ['SentencePiece unigram, byte fallback', () => new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, 'spm-unigram-bytes.model')))],
  ['SentencePiece BPE, byte fallback', () => new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, 'spm-bpe-bytes.model')))],
  ['tokenizer.json BPE, byte fallback', () => new HfJsonTokenizer(readJson(jsonFixture('bpe-bytefallback')), {}, 'bpe')],
  ['tokenizer.json byte-level BPE', () => new HfJsonTokenizer(readJson(jsonFixture('bpe-bytelevel')), {}, 'bpe')],
  ['tokenizer.json WordPiece', () => new HfJsonTokenizer(readJson(jsonFixture('wordpiece-bert')), {}, 'bert')],
  ['tokenizer.json Unigram Metaspace', () => new HfJsonTokenizer(readJson(jsonFixture('unigram-metaspace')), {}, 'uni')],
]

describe.each(tokenizers)('stream decoder: %s', (_, make) => {
  const t = make()

  it('never emits a replacement character, and the stream equals the full decode', () => {
    for (const text of corpus.filter((c) => c.length < 400)) {
      const ids = t.encode(text)
      const chunks = stream(t, ids)
      const full = t.decode(ids)
      expect(chunks.join('')).toBe(full)
      if (!full.includes('\uFFFD')) for (const c of chunks) expect(c).not.toContain('\uFFFD')
    }
  })
})

describe('stream decoder: bytes of one character in separate tokens', () => {
  it('holds <0xE3> <0x81> back and emits あ whole with <0x82>', () => {
    const t = new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, 'spm-unigram-bytes.model')))
    const id = (p: string) => t.tokenToId(p)!
    const ids = [id('▁'), id('<0xE3>'), id('<0x81>'), id('<0x82>'), id('<0xF0>'), id('<0x9F>'), id('<0x98>'), id('<0x80>')]
    expect(stream(t, ids)).toEqual(['', '', '', 'あ', '', '', '', '😀', ''])
  })

  it('byte-level BPE: a Japanese character split over two tokens appears once complete', () => {
    const t = new HfJsonTokenizer(readJson(jsonFixture('bpe-bytelevel')), {}, 'bpe')
    // "ã" and "ģ" are the byte-level characters of 0xE3 and 0x81; "Ĥ" of 0x82.
    const ids = [t.tokenToId('ã')!, t.tokenToId('ģ')!, t.tokenToId('Ĥ')!]
    expect(stream(t, ids)).toEqual(['', '', 'あ', ''])
  })

  it('a stream that ends inside a character shows the replacement only at flush', () => {
    const t = new SentencePieceTokenizer(fs.readFileSync(path.join(FIXTURES, 'spm-unigram-bytes.model')))
    const chunks = stream(t, [t.tokenToId('<0xE3>')!, t.tokenToId('<0x81>')!])
    expect(chunks.slice(0, -1)).toEqual(['', ''])
    expect(chunks.at(-1)).toBe('\uFFFD\uFFFD')
  })
})
