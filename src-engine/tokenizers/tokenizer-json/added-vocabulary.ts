/**
 * Added tokens (tokenizer.json "added_tokens"), as the Rust library's AddedVocabulary: tokens that are never
 * split. Those with normalized=false are found in the raw text first; the rest of the text is normalized and
 * those with normalized=true are found in it (matched against their normalized form). Leftmost-longest
 * matching; single_word, lstrip and rstrip as in `find_matches`.
 */
export interface AddedTokenJson {
  id: number
  content: string
  single_word?: boolean
  lstrip?: boolean
  rstrip?: boolean
  normalized?: boolean
  special?: boolean
}

/** A piece of the input: text still to tokenize, or an added token's id. */
export type Section = { text: string; start: number } | { id: number; start: number }

interface Node {
  token: AddedTokenJson | null
  next: Map<number, Node>
}

const reWhiteSpace = /\p{White_Space}/u
const reWordChar = /[\p{Alphabetic}\p{N}]/u

function isWs(text: string, i: number): boolean {
  return reWhiteSpace.test(String.fromCodePoint(text.codePointAt(i)!))
}

export class TokenMatcher {
  private readonly root: Node = { token: null, next: new Map() }
  readonly empty: boolean

  constructor(entries: readonly [string, AddedTokenJson][]) {
    for (const [pattern, token] of entries) {
      if (pattern.length === 0) continue
      let node = this.root
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i)
        let child = node.next.get(c)
        if (!child) {
          child = { token: null, next: new Map() }
          node.next.set(c, child)
        }
        node = child
      }
      node.token ??= token
    }
    this.empty = this.root.next.size === 0
  }

  /** Split `text` (starting at `offset` of the input) into plain text and added tokens. */
  split(text: string, offset: number): Section[] {
    if (this.empty || text.length === 0) return [{ text, start: offset }]
    const out: Section[] = []
    let startOffset = 0
    for (let i = 0; i < text.length; ) {
      // Longest token starting at i.
      let node: Node | undefined = this.root
      let found: AddedTokenJson | null = null
      let foundEnd = -1
      for (let k = i; k < text.length; k++) {
        node = node.next.get(text.charCodeAt(k))
        if (!node) break
        if (node.token) {
          found = node.token
          foundEnd = k + 1
        }
      }
      if (!found) {
        i++
        continue
      }
      let start = i
      let stop = foundEnd
      if (found.single_word) {
        const before = start === 0 || !reWordChar.test(lastChar(text.slice(0, start)))
        const after = stop === text.length || !reWordChar.test(String.fromCodePoint(text.codePointAt(stop)!))
        if (!before || !after) {
          i = foundEnd // the matcher's iteration moves past a rejected match, as aho-corasick's find_iter
          continue
        }
      }
      if (found.lstrip) {
        let s = start
        while (s > 0) {
          const c = text.charCodeAt(s - 1)
          const back = c >= 0xdc00 && c < 0xe000 && s >= 2 ? 2 : 1
          if (!isWs(text, s - back)) break
          s -= back
        }
        start = Math.max(s, startOffset)
      }
      if (found.rstrip) {
        while (stop < text.length && isWs(text, stop)) stop += text.codePointAt(stop)! > 0xffff ? 2 : 1
      }
      if (startOffset < start) out.push({ text: text.slice(startOffset, start), start: offset + startOffset })
      out.push({ id: found.id, start: offset + start })
      startOffset = stop
      i = foundEnd
    }
    if (startOffset < text.length) out.push({ text: text.slice(startOffset), start: offset + startOffset })
    return out
  }
}

function lastChar(s: string): string {
  const c = s.charCodeAt(s.length - 1)
  return c >= 0xdc00 && c < 0xe000 && s.length >= 2 ? s.slice(-2) : s.slice(-1)
}
