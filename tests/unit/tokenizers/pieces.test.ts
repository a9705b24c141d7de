/**
 * Pieces of the tokenizer.json pipeline on their own: split behaviours (the tokenizers documentation's
 * "the-final--countdown" example, and live against the Rust library where its bindings load), Oniguruma
 * regex rewriting, and the tiny protobuf reader.
 */
import type * as RustBindings from '@anush008/tokenizers'
import { describe, expect, it } from 'vitest'
import { onigToJs, splitText, stringPattern, type SplitBehavior } from '../../../src-engine/tokenizers/tokenizer-json/pattern'
import { createNormalizer } from '../../../src-engine/tokenizers/tokenizer-json/normalizers'
import { readFields } from '../../../src-engine/tokenizers/sentencepiece/protobuf'

let rust: typeof RustBindings | null = null
try {
  rust = await import('@anush008/tokenizers')
} catch {
  rust = null
}

const expected: Record<SplitBehavior, string[]> = {
  Removed: ['the', 'final', 'countdown'],
  Isolated: ['the', '-', 'final', '-', '-', 'countdown'],
  MergedWithPrevious: ['the-', 'final-', '-', 'countdown'],
  MergedWithNext: ['the', '-final', '-', '-countdown'],
  Contiguous: ['the', '-', 'final', '--', 'countdown'],
}

describe('split behaviours', () => {
  it.each(Object.entries(expected))('%s', (behavior, pieces) => {
    expect(splitText('the-final--countdown', stringPattern('-'), behavior as SplitBehavior)).toEqual(pieces)
  })

  it.skipIf(rust === null)('agree with the Rust library on mixed text', () => {
    const texts = ['a  b\t\tc\n\nd', '  lead and trail  ', '日本語 の  テキスト', '--x--']
    for (const behavior of Object.keys(expected) as SplitBehavior[]) {
      for (const invert of [false, true]) {
        const r = rust!.splitPreTokenizer(' ', behavior.toLowerCase() === 'mergedwithprevious' ? 'mergedWithPrevious' : behavior.toLowerCase() === 'mergedwithnext' ? 'mergedWithNext' : behavior.toLowerCase(), invert)
        for (const text of texts) {
          expect(splitText(text, stringPattern(' '), behavior, invert), `${behavior} invert=${invert} ${JSON.stringify(text)}`).toEqual(r.preTokenizeString(text).map(([piece]) => piece))
        }
      }
    }
  })
})

describe('Oniguruma regexes in JavaScript', () => {
  it('expands scoped case-insensitive groups and keeps \\p{…} whole', () => {
    const re = onigToJs("(?i:'s|'t)|\\p{L}+|\\s+(?!\\S)")
    expect("IT'S ok".match(re)).toEqual(['IT', "'S", 'ok'])
  })

  it('reads \\s as Unicode White_Space (U+0085 yes, U+FEFF no), like Oniguruma', () => {
    expect('a\u0085b'.split(onigToJs('\\s'))).toEqual(['a', 'b'])
    expect('a\ufeffb'.split(onigToJs('\\s'))).toEqual(['a\ufeffb'])
  })
})

describe('normalizers', () => {
  it('lowercases per character (no final sigma), strips, prepends', () => {
    const n = createNormalizer({ type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Prepend', prepend: '▁' }] })!
    expect(n('  ΟΔΟΣ  ')).toBe('▁οδοσ')
    expect(n('')).toBe('')
  })
})

describe('protobuf reader', () => {
  it('reads varints (negative int32 too), floats and nested bytes', () => {
    // field 1 varint 150; field 2 int32 -1 (ten bytes); field 3 float 1.5; field 4 bytes "hi"
    const bytes = new Uint8Array([0x08, 0x96, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x1d, 0x00, 0x00, 0xc0, 0x3f, 0x22, 0x02, 0x68, 0x69])
    const fields = readFields(bytes)
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 4])
    expect(fields[0]!.int).toBe(150)
    expect(fields[1]!.int).toBe(-1)
    expect(fields[2]!.float).toBe(1.5)
    expect(new TextDecoder().decode(fields[3]!.bytes)).toBe('hi')
  })

  it('rejects truncated input', () => {
    expect(() => readFields(new Uint8Array([0x22, 0x05, 0x68]))).toThrow(/truncated/)
  })
})
