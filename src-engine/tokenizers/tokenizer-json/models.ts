/**
 * tokenizer.json models (tokenizers/src/models): BPE (merges by rank, leftmost first; byte fallback, fused
 * unknowns, continuing-subword prefix, end-of-word suffix, ignore_merges), Unigram (Viterbi in float64,
 * fused unknowns, byte fallback), WordPiece (greedy longest match) and WordLevel. A word in, ids out.
 * BPE and Unigram cache results per word, as the Rust library does (no effect on results).
 */
import { CharTrie } from '../char-trie'

export interface Model {
  readonly vocab: Map<string, number>
  /** id → token string. */
  readonly idToToken: string[]
  /** Ids for one pre-tokenized word. */
  tokenize(word: string, out: number[]): void
}

type Json = Record<string, unknown>

const CACHE_LIMIT = 50_000
const MAX_CACHED_WORD = 256

function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`
}

function vocabArray(vocab: Map<string, number>): string[] {
  const out: string[] = []
  for (const [t, id] of vocab) out[id] = t
  return out
}

/** Open-addressing hash map from a pair of ids to a merge rank (faster than a Map with float keys). */
class PairTable {
  private keysA: Int32Array
  private keysB: Int32Array
  private values: Int32Array
  private mask: number

  constructor(expected: number) {
    let capacity = 16
    while (capacity < expected * 2) capacity *= 2
    this.keysA = new Int32Array(capacity).fill(-1)
    this.keysB = new Int32Array(capacity)
    this.values = new Int32Array(capacity)
    this.mask = capacity - 1
  }

  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0
    h ^= h >>> 15
    let i = h & this.mask
    for (;;) {
      const k = this.keysA[i]!
      if (k === -1 || (k === a && this.keysB[i] === b)) return i
      i = (i + 1) & this.mask
    }
  }

  set(a: number, b: number, value: number) {
    const i = this.slot(a, b)
    this.keysA[i] = a
    this.keysB[i] = b
    this.values[i] = value
  }

  /** The value, or -1. */
  get(a: number, b: number): number {
    const i = this.slot(a, b)
    return this.keysA[i] === -1 ? -1 : this.values[i]!
  }
}

function vocabMap(vocab: Record<string, number>): Map<string, number> {
  const map = new Map<string, number>()
  for (const key in vocab) map.set(key, vocab[key]!)
  return map
}

class WordCache {
  private map = new Map<string, number[]>()
  get(word: string) {
    return this.map.get(word)
  }
  set(word: string, ids: number[]) {
    if (word.length > MAX_CACHED_WORD) return
    if (this.map.size >= CACHE_LIMIT) this.map.clear()
    this.map.set(word, ids)
  }
}

export class BpeModel implements Model {
  readonly vocab: Map<string, number>
  readonly idToToken: string[]
  /** (left id, right id) → merge rank; mergeId[rank] is the merged token. */
  private readonly merges: PairTable
  private readonly mergeId: Int32Array
  private readonly unkId: number | null
  private readonly byteIds: Int32Array | null
  private readonly prefix: string | null
  private readonly suffix: string | null
  private readonly fuseUnk: boolean
  private readonly ignoreMerges: boolean
  private readonly cache = new WordCache()

  constructor(json: Json) {
    this.vocab = vocabMap(json.vocab as Record<string, number>)
    this.idToToken = vocabArray(this.vocab)
    const unk = typeof json.unk_token === 'string' ? json.unk_token : null
    this.unkId = unk !== null ? (this.vocab.get(unk) ?? null) : null
    this.prefix = typeof json.continuing_subword_prefix === 'string' && json.continuing_subword_prefix !== '' ? json.continuing_subword_prefix : null
    this.suffix = typeof json.end_of_word_suffix === 'string' && json.end_of_word_suffix !== '' ? json.end_of_word_suffix : null
    this.fuseUnk = json.fuse_unk === true
    this.ignoreMerges = json.ignore_merges === true
    if (json.byte_fallback === true) {
      this.byteIds = new Int32Array(256).fill(-1)
      for (let b = 0; b < 256; b++) this.byteIds[b] = this.vocab.get(byteToken(b)) ?? -1
    } else {
      this.byteIds = null
    }
    const merges = (json.merges ?? []) as (string | [string, string])[]
    this.merges = new PairTable(merges.length)
    const mergeId = new Int32Array(merges.length)
    const prefixLen = this.prefix?.length ?? 0
    merges.forEach((m, rank) => {
      let a: string
      let b: string
      if (Array.isArray(m)) [a, b] = m
      else {
        const space = m.indexOf(' ', 1)
        a = m.slice(0, space)
        b = m.slice(space + 1)
      }
      const ia = this.vocab.get(a)
      const ib = this.vocab.get(b)
      if (ia === undefined || ib === undefined) throw new Error(`tokenizer.json: merge "${a} ${b}" uses a token missing from the vocabulary`)
      const merged = this.prefix && b.startsWith(this.prefix) ? a + b.slice(prefixLen) : a + b
      const id = this.vocab.get(merged)
      if (id === undefined) throw new Error(`tokenizer.json: merge "${a} ${b}" makes a token missing from the vocabulary`)
      // A repeated pair keeps its last rank, as the Rust library's HashMap collect does.
      this.merges.set(ia, ib, rank)
      mergeId[rank] = id
    })
    this.mergeId = mergeId
  }

  tokenize(word: string, out: number[]): void {
    if (word.length === 0) return
    const cached = this.cache.get(word)
    if (cached) {
      for (const id of cached) out.push(id)
      return
    }
    const ids = this.encodeWord(word)
    this.cache.set(word, ids)
    for (const id of ids) out.push(id)
  }

  private encodeWord(word: string): number[] {
    if (this.ignoreMerges) {
      const id = this.vocab.get(word)
      if (id !== undefined) return [id]
    }
    // Initial symbols: one per character (with prefix/suffix), unknowns fused or byte-fallen-back.
    const symbols: number[] = []
    let unk = -1
    let unkOpen = false
    const n = word.length
    for (let i = 0; i < n; ) {
      const c = word.charCodeAt(i)
      const len = c >= 0xd800 && c < 0xdc00 && i + 1 < n ? 2 : 1
      let s = word.slice(i, i + len)
      if (i > 0 && this.prefix) s = this.prefix + s
      if (i + len === n && this.suffix) s += this.suffix
      i += len
      const id = this.vocab.get(s)
      if (id !== undefined) {
        if (unkOpen) {
          symbols.push(unk)
          unkOpen = false
        }
        symbols.push(id)
        continue
      }
      if (this.byteIds) {
        const bytes = new TextEncoder().encode(s)
        let ok = true
        for (const b of bytes) if (this.byteIds[b]! < 0) ok = false
        if (ok) {
          // Rust: byte tokens are added directly, without flushing a pending unknown first.
          for (const b of bytes) symbols.push(this.byteIds[b]!)
          continue
        }
      }
      if (this.unkId !== null) {
        if (unkOpen && !this.fuseUnk) symbols.push(unk)
        if (!(unkOpen && this.fuseUnk)) {
          unk = this.unkId
          unkOpen = true
        }
      }
    }
    if (unkOpen) symbols.push(unk)
    if (symbols.length < 2) return symbols
    return this.mergeAll(symbols)
  }

  private mergeAll(ids: number[]): number[] {
    const count = ids.length
    const sym = Int32Array.from(ids)
    const prev = new Int32Array(count)
    const next = new Int32Array(count)
    const alive = new Uint8Array(count).fill(1)
    for (let i = 0; i < count; i++) {
      prev[i] = i - 1
      next[i] = i + 1 < count ? i + 1 : -1
    }
    const heap = new RankHeap()
    const merges = this.merges
    for (let i = 0; i + 1 < count; i++) {
      const rank = merges.get(sym[i]!, sym[i + 1]!)
      if (rank >= 0) heap.push(rank, i)
    }
    while (heap.size > 0) {
      const rank = heap.topRank()
      const pos = heap.topPos()
      heap.pop()
      if (!alive[pos]) continue
      const right = next[pos]!
      if (right < 0) continue
      // Expired entry: the pair at pos no longer merges into this rank's token.
      const current = merges.get(sym[pos]!, sym[right]!)
      if (current < 0 || this.mergeId[current] !== this.mergeId[rank]) continue
      sym[pos] = this.mergeId[rank]!
      alive[right] = 0
      const after = next[right]!
      next[pos] = after
      if (after >= 0) prev[after] = pos
      const before = prev[pos]!
      if (before >= 0) {
        const r = merges.get(sym[before]!, sym[pos]!)
        if (r >= 0) heap.push(r, before)
      }
      if (after >= 0) {
        const r = merges.get(sym[pos]!, sym[after]!)
        if (r >= 0) heap.push(r, pos)
      }
    }
    const out: number[] = []
    for (let i = 0; i >= 0; i = next[i]!) out.push(sym[i]!)
    return out
  }
}

/** Min-heap on (rank, position), the order of the Rust library's merge queue. */
class RankHeap {
  private ranks: number[] = []
  private pos: number[] = []
  get size() {
    return this.ranks.length
  }
  topRank() {
    return this.ranks[0]!
  }
  topPos() {
    return this.pos[0]!
  }
  private less(a: number, b: number) {
    const ra = this.ranks[a]!
    const rb = this.ranks[b]!
    return ra < rb || (ra === rb && this.pos[a]! < this.pos[b]!)
  }
  private swap(a: number, b: number) {
    const r = this.ranks[a]!
    this.ranks[a] = this.ranks[b]!
    this.ranks[b] = r
    const p = this.pos[a]!
    this.pos[a] = this.pos[b]!
    this.pos[b] = p
  }
  push(rank: number, pos: number) {
    this.ranks.push(rank)
    this.pos.push(pos)
    let i = this.ranks.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }
  pop() {
    const last = this.ranks.length - 1
    this.swap(0, last)
    this.ranks.pop()
    this.pos.pop()
    const n = this.ranks.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let best = i
      if (l < n && this.less(l, best)) best = l
      if (r < n && this.less(r, best)) best = r
      if (best === i) break
      this.swap(i, best)
      i = best
    }
  }
}

export class UnigramModel implements Model {
  readonly vocab = new Map<string, number>()
  readonly idToToken: string[] = []
  private readonly scores: Float64Array
  private readonly trie = new CharTrie()
  private readonly unkId: number | null
  private readonly unkScore: number
  private readonly byteFallback: boolean
  private readonly fuseUnk: boolean
  private readonly cache = new WordCache()

  constructor(json: Json) {
    const entries = json.vocab as [string, number][]
    this.scores = new Float64Array(entries.length)
    let min = Infinity
    entries.forEach(([piece, score], id) => {
      this.vocab.set(piece, id)
      this.idToToken[id] = piece
      this.scores[id] = score
      if (score < min) min = score
      this.trie.insert(piece, id)
    })
    this.unkId = typeof json.unk_id === 'number' ? json.unk_id : null
    this.unkScore = min - 10
    this.byteFallback = json.byte_fallback === true
    this.fuseUnk = json.fuse_unk !== false
  }

  tokenize(word: string, out: number[]): void {
    if (word.length === 0) return
    let ids = this.cache.get(word)
    if (!ids) {
      ids = this.encodeWord(word)
      this.cache.set(word, ids)
    }
    for (const id of ids) out.push(id)
  }

  private encodeWord(text: string): number[] {
    const n = text.length
    const best = new Float64Array(n + 1)
    const startsAt = new Int32Array(n + 1).fill(-1)
    const bestId = new Int32Array(n + 1).fill(-1)
    const unkId = this.unkId ?? -1
    for (let start = 0; start < n; ) {
      const c0 = text.charCodeAt(start)
      const charLen = c0 >= 0xd800 && c0 < 0xdc00 && start + 1 < n ? 2 : 1
      const here = best[start]!
      let hasSingle = false
      let node = 0
      for (let k = start; k < n; k++) {
        node = this.trie.childOf(node, text.charCodeAt(k))
        if (node < 0) break
        const id = this.trie.idAt(node)
        if (id < 0) continue
        const end = k + 1
        const candidate = this.scores[id]! + here
        if (startsAt[end] === -1 || candidate > best[end]!) {
          best[end] = candidate
          startsAt[end] = start
          bestId[end] = id
        }
        if (end - start === charLen) hasSingle = true
      }
      if (!hasSingle) {
        const end = start + charLen
        const candidate = this.unkScore + here
        if (startsAt[end] === -1 || candidate > best[end]!) {
          best[end] = candidate
          startsAt[end] = start
          bestId[end] = unkId
        }
      }
      start += charLen
    }
    // Backtrack; runs of unknowns fuse into one string.
    const pieces: string[] = []
    let fused = ''
    for (let end = n; end > 0; ) {
      const s = startsAt[end]!
      const piece = text.slice(s, end)
      if (this.fuseUnk && this.unkId !== null && bestId[end] === this.unkId) fused = piece + fused
      else {
        if (fused) {
          pieces.push(fused)
          fused = ''
        }
        pieces.push(piece)
      }
      end = s
    }
    if (fused) pieces.push(fused)
    pieces.reverse()
    const out: number[] = []
    const encoder = new TextEncoder()
    for (const piece of pieces) {
      const id = this.vocab.get(piece)
      if (id !== undefined) {
        out.push(id)
        continue
      }
      if (this.byteFallback) {
        const ids = Array.from(encoder.encode(piece), (b) => this.vocab.get(byteToken(b)))
        if (ids.every((x) => x !== undefined)) {
          out.push(...(ids as number[]))
          continue
        }
      }
      if (this.unkId === null) throw new Error('tokenizer.json: Unigram model has no unk_id for an unknown piece')
      out.push(this.unkId)
    }
    return out
  }
}

export class WordPieceModel implements Model {
  readonly vocab: Map<string, number>
  readonly idToToken: string[]
  private readonly unk: string
  private readonly prefix: string
  private readonly maxChars: number
  private readonly maxTokenLength: number

  constructor(json: Json) {
    this.vocab = vocabMap(json.vocab as Record<string, number>)
    this.idToToken = vocabArray(this.vocab)
    this.unk = String(json.unk_token ?? '[UNK]')
    this.prefix = String(json.continuing_subword_prefix ?? '##')
    this.maxChars = typeof json.max_input_chars_per_word === 'number' ? json.max_input_chars_per_word : 100
    this.maxTokenLength = Math.max(1, ...this.idToToken.map((t) => t?.length ?? 0))
  }

  private readonly cache = new WordCache()

  tokenize(word: string, out: number[]): void {
    let ids = this.cache.get(word)
    if (!ids) {
      ids = []
      this.encodeWord(word, ids)
      this.cache.set(word, ids)
    }
    for (const id of ids) out.push(id)
  }

  private encodeWord(word: string, out: number[]): void {
    const unkId = this.vocab.get(this.unk)
    if ([...word].length > this.maxChars) {
      if (unkId === undefined) throw new Error(`tokenizer.json: WordPiece unk token ${this.unk} is not in the vocabulary`)
      out.push(unkId)
      return
    }
    const ids: number[] = []
    let start = 0
    while (start < word.length) {
      let end = Math.min(word.length, start + this.maxTokenLength)
      let found = -1
      while (start < end) {
        // Never end inside a surrogate pair.
        const last = word.charCodeAt(end - 1)
        if (last >= 0xd800 && last < 0xdc00 && end < word.length) {
          end--
          continue
        }
        const sub = start > 0 ? this.prefix + word.slice(start, end) : word.slice(start, end)
        const id = this.vocab.get(sub)
        if (id !== undefined) {
          found = id
          break
        }
        const c = word.charCodeAt(end - 1)
        end -= c >= 0xdc00 && c < 0xe000 && end - 2 >= start ? 2 : 1
      }
      if (found < 0) {
        if (unkId === undefined) throw new Error(`tokenizer.json: WordPiece unk token ${this.unk} is not in the vocabulary`)
        out.push(unkId)
        return
      }
      ids.push(found)
      start = end
    }
    for (const id of ids) out.push(id)
  }
}

export class WordLevelModel implements Model {
  readonly vocab: Map<string, number>
  readonly idToToken: string[]
  private readonly unk: string

  constructor(json: Json) {
    this.vocab = vocabMap(json.vocab as Record<string, number>)
    this.idToToken = vocabArray(this.vocab)
    this.unk = String(json.unk_token ?? '<unk>')
  }

  tokenize(word: string, out: number[]): void {
    const id = this.vocab.get(word) ?? this.vocab.get(this.unk)
    if (id === undefined) throw new Error(`tokenizer.json: WordLevel unk token ${this.unk} is not in the vocabulary`)
    out.push(id)
  }
}

export function createModel(json: Json): Model {
  switch (json.type) {
    case 'BPE':
      return new BpeModel(json)
    case 'Unigram':
      return new UnigramModel(json)
    case 'WordPiece':
      return new WordPieceModel(json)
    case 'WordLevel':
      return new WordLevelModel(json)
    default:
      // Old files may omit "type"; infer it from the fields.
      if (json.merges) return new BpeModel(json)
      if (Array.isArray(json.vocab)) return new UnigramModel(json)
      throw new Error(`tokenizer.json: model ${String(json.type)} is not supported`)
  }
}
