/**
 * tokenizer.json decoders (tokenizers/src/decoders): a chain of token-list transforms, joined at the end.
 */
import { onigToJs } from './pattern'
import { CHAR_TO_BYTE } from './pre-tokenizers'

export type Decoder = (tokens: string[]) => string[]

type Json = Record<string, unknown>

const utf8Lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** transformers' clean_up_tokenization (spaces before punctuation and English contractions). */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re")
}

/** The WordPiece decoder's cleanup: the same, plus " do not" → " don't" (no other rule makes or breaks that text, so order does not matter). */
function wordPieceCleanup(s: string): string {
  return cleanUpTokenization(s).replaceAll(' do not', " don't")
}

function byteLevel(tokens: string[]): string[] {
  const bytes: number[] = []
  const encoder = new TextEncoder()
  for (const t of tokens) {
    const start = bytes.length
    let ok = true
    for (const c of t) {
      const b = CHAR_TO_BYTE.get(c)
      if (b === undefined) {
        ok = false
        break
      }
      bytes.push(b)
    }
    if (!ok) {
      bytes.length = start
      for (const b of encoder.encode(t)) bytes.push(b)
    }
  }
  return [utf8Lossy.decode(new Uint8Array(bytes))]
}

function byteFallback(tokens: string[]): string[] {
  const out: string[] = []
  let pending: number[] = []
  const flush = () => {
    if (pending.length === 0) return
    try {
      out.push(utf8Strict.decode(new Uint8Array(pending)))
    } catch {
      for (let i = 0; i < pending.length; i++) out.push('\uFFFD')
    }
    pending = []
  }
  for (const t of tokens) {
    if (t.length === 6 && t.startsWith('<0x') && t.endsWith('>')) {
      const b = parseInt(t.slice(3, 5), 16)
      if (/^[0-9a-fA-F]{2}$/.test(t.slice(3, 5))) {
        pending.push(b)
        continue
      }
    }
    flush()
    out.push(t)
  }
  flush()
  return out
}

function patternReplacer(pattern: { String?: string; Regex?: string }, content: string): (s: string) => string {
  if (typeof pattern.String === 'string') {
    const from = pattern.String
    return (s) => (from === '' ? s : s.replaceAll(from, content))
  }
  const re = onigToJs(String(pattern.Regex))
  return (s) => s.replace(re, () => content)
}

export function createDecoder(json: Json | null | undefined): Decoder | null {
  if (!json) return null
  switch (json.type) {
    case 'Sequence': {
      const parts = (json.decoders as Json[]).map(createDecoder).filter((d): d is Decoder => d !== null)
      return (tokens) => parts.reduce((t, d) => d(t), tokens)
    }
    case 'ByteLevel':
      return byteLevel
    case 'ByteFallback':
      return byteFallback
    case 'Fuse':
      return (tokens) => [tokens.join('')]
    case 'Metaspace': {
      const replacement = String(json.replacement ?? '\u2581')
      let scheme = typeof json.prepend_scheme === 'string' ? json.prepend_scheme : null
      if (!scheme) scheme = json.add_prefix_space === false ? 'never' : 'always'
      return (tokens) => tokens.map((t, i) => (i === 0 && scheme !== 'never' ? t.replaceAll(replacement, '') : t.replaceAll(replacement, ' ')))
    }
    case 'WordPiece': {
      const prefix = String(json.prefix ?? '##')
      const cleanup = json.cleanup !== false
      return (tokens) =>
        tokens.map((t, i) => {
          if (i !== 0) t = t.startsWith(prefix) ? t.replace(prefix, '') : ' ' + t
          return cleanup ? wordPieceCleanup(t) : t
        })
    }
    case 'BPEDecoder': {
      const suffix = String(json.suffix ?? '</w>')
      return (tokens) => tokens.map((t, i) => t.replaceAll(suffix, i === tokens.length - 1 ? '' : ' '))
    }
    case 'Strip': {
      const content = String(json.content ?? ' ')
      const start = Number(json.start ?? 0)
      const stop = Number(json.stop ?? 0)
      return (tokens) =>
        tokens.map((t) => {
          const chars = Array.from(t)
          let s = 0
          for (let i = 0; i < Math.min(start, chars.length); i++) {
            if (chars[i] === content) s = i + 1
            else break
          }
          let e = chars.length
          for (let i = 0; i < stop && chars.length - i - 1 >= 0; i++) {
            const k = chars.length - i - 1
            if (chars[k] === content) e = k
            else break
          }
          return chars.slice(s, Math.max(s, e)).join('')
        })
    }
    case 'Replace': {
      const replace = patternReplacer(json.pattern as { String?: string; Regex?: string }, String(json.content ?? ''))
      return (tokens) => tokens.map(replace)
    }
    case 'CTC': {
      const pad = String(json.pad_token ?? '<pad>')
      const delimiter = String(json.word_delimiter_token ?? '|')
      const cleanup = json.cleanup !== false
      return (tokens) => {
        const dedup = tokens.filter((t, i) => i === 0 || t !== tokens[i - 1])
        return dedup
          .filter((t) => t !== pad)
          .map((t) => {
            let r = t.replaceAll(delimiter, ' ')
            if (cleanup) r = wordPieceCleanup(r)
            return r
          })
      }
    }
    default:
      throw new Error(`tokenizer.json: decoder ${String(json.type)} is not supported`)
  }
}
