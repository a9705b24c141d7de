/**
 * Patterns and splitting as the Rust tokenizers library does them (tokenizers/src/tokenizer/pattern.rs,
 * normalizer.rs `split`): a pattern yields non-overlapping matches that cover nothing or part of the text;
 * a split behaviour turns matches into pieces. Regexes in tokenizer.json are Oniguruma syntax; the few
 * constructs JavaScript lacks are rewritten (scoped case-insensitive groups, possessive quantifiers).
 */

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous'

export type PatternJson = { String: string } | { Regex: string }

/** [start, end, isMatch] over UTF-16 offsets, covering the whole text in order. */
type Segment = [number, number, boolean]

export interface Pattern {
  /** Segments covering `text`, matches flagged. */
  segments(text: string): Segment[]
}

export const isWhiteSpace = (c: string) => /^\p{White_Space}$/u.test(c)
const wsRe = /\p{White_Space}/u

/** Rewrite an Oniguruma regex (as tokenizer.json stores them) into an equivalent JavaScript one. */
export function onigToJs(pattern: string): RegExp {
  let out = ''
  let i = 0
  // Expand (?i: … ) groups by turning each ASCII letter into a two-case class (only outside classes).
  const expandCaseless = (body: string) => {
    let r = ''
    let inClass = false
    for (let k = 0; k < body.length; k++) {
      const c = body[k]!
      if (c === '\\') {
        r += c + (body[k + 1] ?? '')
        k++
        continue
      }
      if (c === '[') inClass = true
      else if (c === ']') inClass = false
      if (!inClass && /[a-zA-Z]/.test(c)) r += `[${c.toLowerCase()}${c.toUpperCase()}]`
      else r += c
    }
    return r
  }
  // Oniguruma's \s, \w and \d are Unicode-wide (\s = White_Space, so U+0085 yes and U+FEFF no); JavaScript's
  // are not, even with the u flag.
  const classes: Record<string, [inside: string, outside: string]> = {
    s: ['\\p{White_Space}', '\\p{White_Space}'],
    S: ['\\P{White_Space}', '\\P{White_Space}'],
    w: ['\\p{L}\\p{M}\\p{Nd}\\p{Pc}', '[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]'],
    W: ['\\W', '[^\\p{L}\\p{M}\\p{Nd}\\p{Pc}]'],
    d: ['\\p{Nd}', '\\p{Nd}'],
    D: ['\\P{Nd}', '\\P{Nd}'],
  }
  let inClass = false
  while (i < pattern.length) {
    if (!inClass && pattern.startsWith('(?i:', i)) {
      let depth = 1
      let k = i + 4
      for (; k < pattern.length && depth > 0; k++) {
        const c = pattern[k]
        if (c === '\\') k++
        else if (c === '(') depth++
        else if (c === ')') depth--
      }
      out += '(?:' + expandCaseless(pattern.slice(i + 4, k - 1)) + ')'
      i = k
      continue
    }
    const c = pattern[i]!
    if (c === '\\') {
      // \p{…} / \P{…}: copy the property name whole, so its closing brace is not taken for a quantifier's.
      if ((pattern[i + 1] === 'p' || pattern[i + 1] === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i)
        out += pattern.slice(i, close + 1)
        i = close + 1
        continue
      }
      const cls = classes[pattern[i + 1] ?? '']
      out += cls ? cls[inClass ? 0 : 1] : c + (pattern[i + 1] ?? '')
      i += 2
      continue
    }
    if (c === '[') inClass = true
    else if (c === ']') inClass = false
    // Possessive quantifiers (?+ *+ ++): JavaScript has none; the greedy form is equivalent for the
    // pre-tokenizer patterns in use.
    if (!inClass && (c === '?' || c === '*' || c === '+' || c === '}') && pattern[i + 1] === '+') {
      out += c
      i += 2
      continue
    }
    out += c
    i++
  }
  return new RegExp(out, 'gu')
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export class RegexPattern implements Pattern {
  readonly re: RegExp
  constructor(source: RegExp) {
    this.re = source
  }
  segments(text: string): Segment[] {
    if (text.length === 0) return [[0, 0, false]]
    const out: Segment[] = []
    let prev = 0
    const re = this.re
    re.lastIndex = 0
    for (;;) {
      const m = re.exec(text)
      if (!m) break
      const start = m.index
      const end = start + m[0].length
      if (end === start) {
        // Empty match: advance one code point, as regex engines do; an empty match piece is dropped later.
        re.lastIndex = end + (text.codePointAt(end)! > 0xffff ? 2 : 1)
        if (end >= text.length) break
        continue
      }
      if (prev !== start) out.push([prev, start, false])
      out.push([start, end, true])
      prev = end
    }
    if (prev !== text.length) out.push([prev, text.length, false])
    return out
  }
}

export function stringPattern(s: string): Pattern {
  if (s.length === 0) return { segments: (text) => [[0, text.length, false]] }
  return new RegexPattern(new RegExp(escapeRegExp(s), 'gu'))
}

export function patternFromJson(p: PatternJson): Pattern {
  if ('String' in p) return stringPattern(p.String)
  return new RegexPattern(onigToJs(p.Regex))
}

/** Each character for which `test` holds is its own match (the Rust `Fn(char) -> bool` pattern). */
export function charPattern(test: (c: string) => boolean): Pattern {
  // ASCII answers precomputed: most text is mostly ASCII.
  const ascii = new Uint8Array(128)
  for (let c = 0; c < 128; c++) ascii[c] = test(String.fromCharCode(c)) ? 1 : 0
  return {
    segments(text) {
      const out: Segment[] = []
      let last = 0
      for (let i = 0; i < text.length; ) {
        const cp = text.charCodeAt(i)
        if (cp < 128) {
          if (ascii[cp]) {
            if (last < i) out.push([last, i, false])
            out.push([i, i + 1, true])
            last = i + 1
          }
          i++
          continue
        }
        const len = cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length ? 2 : 1
        if (test(text.slice(i, i + len))) {
          if (last < i) out.push([last, i, false])
          out.push([i, i + len, true])
          last = i + len
        }
        i += len
      }
      if (last < text.length) out.push([last, text.length, false])
      if (text.length === 0) out.push([0, 0, false])
      return out
    },
  }
}

export const whitespacePattern = charPattern((c) => wsRe.test(c))

/** Pieces of `text` split by `pattern` with `behavior` (empty pieces dropped), as NormalizedString::split. */
export function splitText(text: string, pattern: Pattern, behavior: SplitBehavior, invert = false): string[] {
  let segs = pattern.segments(text)
  if (invert) segs = segs.map(([s, e, m]) => [s, e, !m])
  let spans: [number, number][] = []
  switch (behavior) {
    case 'Removed':
      spans = segs.filter((s) => !s[2]).map(([s, e]) => [s, e])
      break
    case 'Isolated':
      spans = segs.map(([s, e]) => [s, e])
      break
    case 'MergedWithPrevious': {
      let previousMatch = false
      for (const [s, e, m] of segs) {
        const last = spans[spans.length - 1]
        if (m && !previousMatch && last) last[1] = e
        else spans.push([s, e])
        previousMatch = m
      }
      break
    }
    case 'MergedWithNext': {
      let previousMatch = false
      for (let k = segs.length - 1; k >= 0; k--) {
        const [s, e, m] = segs[k]!
        const last = spans[spans.length - 1]
        if (m && !previousMatch && last) last[0] = s
        else spans.push([s, e])
        previousMatch = m
      }
      spans.reverse()
      break
    }
    case 'Contiguous': {
      let previousMatch = false
      for (const [s, e, m] of segs) {
        const last = spans[spans.length - 1]
        if (m === previousMatch && last) last[1] = e
        else spans.push([s, e])
        previousMatch = m
      }
      break
    }
  }
  const out: string[] = []
  for (const [s, e] of spans) if (e > s) out.push(text.slice(s, e))
  return out
}
