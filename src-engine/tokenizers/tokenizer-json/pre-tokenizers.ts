/**
 * tokenizer.json pre-tokenizers (tokenizers/src/pre_tokenizers): one split of the input in, the words the
 * model sees out. `first` tells whether the split starts the input (Metaspace's prepend_scheme "first").
 */
import { charPattern, onigToJs, patternFromJson, RegexPattern, splitText, whitespacePattern, type PatternJson, type SplitBehavior } from './pattern'

export type PreTokenizer = (words: string[], first: boolean) => string[]

type Json = Record<string, unknown>

/** GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 and up. */
export const BYTE_TO_CHAR: string[] = (() => {
  const table: string[] = new Array(256)
  const direct = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)
  let n = 0
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(direct(b) ? b : 256 + n++)
  return table
})()

export const CHAR_TO_BYTE: Map<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]))

const GPT2_PATTERN = new RegexPattern(onigToJs("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"))

const encoder = new TextEncoder()
const scratch = new Uint8Array(4096)

/** A word's UTF-8 bytes as byte-level characters. */
export function byteLevelChars(word: string): string {
  let ascii = true
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i)
    if (c > 0x7e || c < 0x21) {
      ascii = false
      break
    }
  }
  if (ascii) return word
  const bytes = word.length * 3 <= scratch.length ? scratch.subarray(0, encoder.encodeInto(word, scratch).written) : encoder.encode(word)
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]!]
  return out
}

const reWs = /^\p{White_Space}$/u
const rePunct = /^\p{P}$/u
const isBertPunct = (c: string) => {
  const cp = c.codePointAt(0)!
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || rePunct.test(c)
}
const punctPattern = charPattern(isBertPunct)
const reWordChar = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}'
const WHITESPACE_PATTERN = new RegexPattern(new RegExp(`[${reWordChar}]+|[^${reWordChar}\\s]+`, 'gu'))

const each = (f: (w: string) => string[]): PreTokenizer => (words) => words.flatMap(f)

export function createPreTokenizer(json: Json | null | undefined): PreTokenizer | null {
  if (!json) return null
  switch (json.type) {
    case 'Sequence': {
      const parts = (json.pretokenizers as Json[]).map(createPreTokenizer).filter((p): p is PreTokenizer => p !== null)
      return (words, first) => parts.reduce((w, p) => p(w, first), words)
    }
    case 'ByteLevel': {
      const addPrefixSpace = json.add_prefix_space === true
      const useRegex = json.use_regex !== false
      return each((w) => {
        if (addPrefixSpace && !w.startsWith(' ')) w = ' ' + w
        const parts = useRegex ? splitText(w, GPT2_PATTERN, 'Isolated') : [w]
        return parts.map(byteLevelChars)
      })
    }
    case 'Split': {
      const pattern = patternFromJson(json.pattern as PatternJson)
      const behavior = json.behavior as SplitBehavior
      const invert = json.invert === true
      return each((w) => splitText(w, pattern, behavior, invert))
    }
    case 'Metaspace': {
      const replacement = String(json.replacement ?? '\u2581')
      let scheme = typeof json.prepend_scheme === 'string' ? json.prepend_scheme : null
      if (!scheme) scheme = json.add_prefix_space === false ? 'never' : 'always'
      const split = json.split !== false
      const rep = stringSplitter(replacement)
      return (words, first) =>
        words.flatMap((w, index) => {
          w = w.replaceAll(' ', replacement)
          if ((scheme === 'always' || (scheme === 'first' && first && index === 0)) && !w.startsWith(replacement)) w = replacement + w
          return split ? splitText(w, rep, 'MergedWithNext') : w.length > 0 ? [w] : []
        })
    }
    case 'Whitespace':
      return each((w) => splitText(w, WHITESPACE_PATTERN, 'Removed', true))
    case 'WhitespaceSplit':
      return each((w) => splitText(w, whitespacePattern, 'Removed'))
    case 'BertPreTokenizer':
      return each((w) => splitText(w, whitespacePattern, 'Removed').flatMap((p) => splitText(p, punctPattern, 'Isolated')))
    case 'Punctuation': {
      const behavior = (json.behavior as SplitBehavior | undefined) ?? 'Isolated'
      return each((w) => splitText(w, punctPattern, behavior))
    }
    case 'Digits': {
      const individual = json.individual_digits === true
      const digits = charPattern((c) => /^\p{N}$/u.test(c))
      return each((w) => splitText(w, digits, individual ? 'Isolated' : 'Contiguous'))
    }
    case 'CharDelimiterSplit': {
      const delimiter = String(json.delimiter)
      return each((w) => splitText(w, charPattern((c) => c === delimiter), 'Removed'))
    }
    default:
      throw new Error(`tokenizer.json: pre-tokenizer ${String(json.type)} is not supported`)
  }
}

function stringSplitter(s: string) {
  return charPattern((c) => c === s)
}

export const isWhitespaceChar = (c: string) => reWs.test(c)
