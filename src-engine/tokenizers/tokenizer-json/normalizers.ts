/**
 * tokenizer.json normalizers, as the Rust library applies them (tokenizers/src/normalizers): string in,
 * string out (we need no offsets). Where JavaScript's built-ins differ from Rust's char methods we work per
 * code point (e.g. Lowercase has no final-sigma rule in Rust).
 */
import { PrecompiledCharsmap } from '../precompiled-charsmap'
import { patternFromJson, type PatternJson } from './pattern'

export type Normalizer = (text: string) => string

type Json = Record<string, unknown>

const reWhiteSpace = /\p{White_Space}/u
const reOther = /\p{C}/u

function mapChars(text: string, f: (c: string, cp: number) => string): string {
  let out = ''
  for (const c of text) out += f(c, c.codePointAt(0)!)
  return out
}

export function lowercase(text: string): string {
  // Rust lowercases char by char; JavaScript's whole-string toLowerCase applies the final-sigma rule.
  let ascii = true
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) { ascii = false; break }
  if (ascii) return text.toLowerCase()
  return mapChars(text, (c) => (c === '\u03a3' ? '\u03c3' : c.toLowerCase()))
}

function stripWhitespace(text: string, left: boolean, right: boolean): string {
  const chars = Array.from(text)
  let s = 0
  let e = chars.length
  if (left) while (s < e && reWhiteSpace.test(chars[s]!)) s++
  if (right) while (e > s && reWhiteSpace.test(chars[e - 1]!)) e--
  return chars.slice(s, e).join('')
}

const reMarks = /\p{M}/gu

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

function stripAccents(text: string): string {
  return isAscii(text) ? text : text.replace(reMarks, '')
}

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  )
}

function bertNormalizer(json: Json): Normalizer {
  const cleanText = json.clean_text !== false
  const chinese = json.handle_chinese_chars !== false
  const lower = json.lowercase !== false
  const strip = typeof json.strip_accents === 'boolean' ? json.strip_accents : lower
  const cleanChar = (c: string, cp: number) => {
    if (cp === 0 || cp === 0xfffd) return ''
    if (c === '\t' || c === '\n' || c === '\r') return ' '
    if (reOther.test(c)) return ''
    return reWhiteSpace.test(c) ? ' ' : c
  }
  return (text) => {
    const ascii = isAscii(text)
    if (cleanText) {
      let plain = true
      for (let i = 0; i < text.length && plain; i++) {
        const c = text.charCodeAt(i)
        if (c < 0x20 || c >= 0x7f) plain = false
      }
      if (!plain) text = mapChars(text, cleanChar)
    }
    if (chinese && !ascii) text = mapChars(text, (c, cp) => (isChineseChar(cp) ? ` ${c} ` : c))
    if (strip && !ascii) text = stripAccents(text.normalize('NFD'))
    if (lower) text = lowercase(text)
    return text
  }
}

function nmt(text: string): string {
  return mapChars(text, (c, cp) => {
    if ((cp >= 0x1 && cp <= 0x8) || cp === 0xb || (cp >= 0xe && cp <= 0x1f) || cp === 0x7f || cp === 0x8f || cp === 0x9f) return ''
    if (cp === 0x9 || cp === 0xa || cp === 0xc || cp === 0xd || cp === 0x1680 || (cp >= 0x200b && cp <= 0x200f) || cp === 0x2028 || cp === 0x2029 || cp === 0x2581 || cp === 0xfeff || cp === 0xfffd) return ' '
    return c
  })
}

/** The Precompiled normalizer (spm_precompiled): per grapheme, the whole grapheme's mapping when it has one
 * (graphemes under 6 bytes), else each character's own mapping. */
function precompiled(json: Json): Normalizer {
  const blob = Buffer.from(String(json.precompiled_charsmap ?? ''), 'base64')
  if (blob.length === 0) return (t) => t
  const map = new PrecompiledCharsmap(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength))
  const encoder = new TextEncoder()
  const decoder = new TextDecoder()
  const transform = (chunk: string): string | null => {
    const bytes = encoder.encode(chunk)
    const m = map.matchFirst(bytes, 0, bytes.length)
    return m === null ? null : decoder.decode(m)
  }
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  return (text) => {
    let out = ''
    for (const { segment } of segmenter.segment(text)) {
      if (encoder.encode(segment).length < 6) {
        const t = transform(segment)
        if (t !== null) {
          out += t
          continue
        }
      }
      for (const c of segment) out += transform(c) ?? c
    }
    return out
  }
}

export function createNormalizer(json: Json | null | undefined): Normalizer | null {
  if (!json) return null
  switch (json.type) {
    case 'Sequence': {
      const parts = (json.normalizers as Json[]).map(createNormalizer).filter((n): n is Normalizer => n !== null)
      return (text) => parts.reduce((t, n) => n(t), text)
    }
    case 'NFC':
      return (t) => t.normalize('NFC')
    case 'NFD':
      return (t) => t.normalize('NFD')
    case 'NFKC':
      return (t) => t.normalize('NFKC')
    case 'NFKD':
      return (t) => t.normalize('NFKD')
    case 'Lowercase':
      return lowercase
    case 'Strip': {
      const left = json.strip_left !== false
      const right = json.strip_right !== false
      return (t) => stripWhitespace(t, left, right)
    }
    case 'StripAccents':
      return stripAccents
    case 'Replace': {
      const pattern = patternFromJson(json.pattern as PatternJson)
      const content = String(json.content ?? '')
      return (t) => {
        let out = ''
        for (const [s, e, m] of pattern.segments(t)) out += m ? content : t.slice(s, e)
        return out
      }
    }
    case 'Prepend': {
      const prepend = String(json.prepend ?? '')
      return (t) => (t.length > 0 ? prepend + t : t)
    }
    case 'BertNormalizer':
      return bertNormalizer(json)
    case 'Nmt':
      return nmt
    case 'Precompiled':
      return precompiled(json)
    default:
      throw new Error(`tokenizer.json: normalizer ${String(json.type)} is not supported`)
  }
}
