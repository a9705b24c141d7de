/**
 * SentencePiece's two segmentation models over a normalized string, returning [piece, id] pairs exactly as
 * the C++ library does before byte fallback:
 * - Unigram: Viterbi over every vocabulary piece that starts at each character (unigram_model.cc,
 *   EncodeOptimized). Scores are float32 as in C++; ties keep the earlier start; user-defined symbols get a
 *   bonus (bytes × max score − 0.1) so they always win; a character no piece covers becomes <unk> with
 *   score min − 10.
 * - BPE: start from characters (user-defined symbols frozen whole), repeatedly merge the adjacent pair whose
 *   merged piece has the highest score, leftmost first on ties (bpe_model.cc).
 * Positions are UTF-16 code units of the normalized string; the trie is keyed by code unit too, which is
 * the same as the C++ byte trie because pieces are whole characters.
 */
import { CharTrie } from '../char-trie'
import { PieceType, type SentencePieceEntry } from './model-proto'

export type Segment = [piece: string, id: number]

const fround = Math.fround

export class PieceTable {
  /** Pieces that segmentation may produce (NORMAL, USER_DEFINED, UNUSED), as in ModelInterface::pieces_. */
  readonly pieces = new Map<string, number>()
  /** Every other piece (CONTROL, UNKNOWN, BYTE): found by PieceToId but never produced by segmentation. */
  readonly reserved = new Map<string, number>()
  readonly userDefined: string[] = []
  readonly unkId: number

  constructor(readonly entries: readonly SentencePieceEntry[]) {
    let unkId = -1
    entries.forEach((e, id) => {
      const normal = e.type === PieceType.Normal || e.type === PieceType.UserDefined || e.type === PieceType.Unused
      const map = normal ? this.pieces : this.reserved
      if (map.has(e.piece)) throw new Error(`SentencePiece model: duplicate piece ${JSON.stringify(e.piece)}`)
      map.set(e.piece, id)
      if (e.type === PieceType.UserDefined) this.userDefined.push(e.piece)
      if (e.type === PieceType.Unknown) unkId = id
    })
    if (unkId < 0) throw new Error('SentencePiece model: no <unk> piece')
    this.unkId = unkId
  }

  pieceToId(piece: string): number {
    return this.reserved.get(piece) ?? this.pieces.get(piece) ?? this.unkId
  }
}

export class UnigramModel {
  private readonly trie = new CharTrie()
  private readonly scores: Float32Array
  private readonly userBonus: Float64Array
  private readonly isUserDefined: Uint8Array
  private readonly unkScore: number

  constructor(private readonly table: PieceTable) {
    const entries = table.entries
    let min = Number.MAX_VALUE
    let max = 1.1754943508222875e-38 // FLT_MIN, as the C++ initial value
    for (const e of entries) {
      if (e.type === PieceType.Normal) {
        min = Math.min(min, e.score)
        max = Math.max(max, e.score)
      }
    }
    if (min === Number.MAX_VALUE) min = 3.4028234663852886e38
    this.unkScore = fround(fround(min) - 10)
    this.scores = new Float32Array(entries.map((e) => e.score))
    this.userBonus = new Float64Array(entries.length)
    this.isUserDefined = new Uint8Array(entries.length)
    const encoder = new TextEncoder()
    for (const [piece, id] of table.pieces) {
      const e = entries[id]!
      if (e.type === PieceType.Unused) continue // never a candidate (IsUnused → skipped)
      if (e.type === PieceType.UserDefined) {
        this.isUserDefined[id] = 1
        this.userBonus[id] = fround(encoder.encode(piece).length * fround(max)) - 0.1
      }
      this.trie.insert(piece, id)
    }
  }

  private bestScore = new Float64Array(256)
  private startsAtBuf = new Int32Array(256)
  private bestIdBuf = new Int32Array(256)

  encode(normalized: string): Segment[] {
    const n = normalized.length
    if (n === 0) return []
    if (this.bestScore.length < n + 1) {
      this.bestScore = new Float64Array(2 * n + 2)
      this.startsAtBuf = new Int32Array(2 * n + 2)
      this.bestIdBuf = new Int32Array(2 * n + 2)
    }
    const bestScore = this.bestScore
    const startsAt = this.startsAtBuf
    const bestId = this.bestIdBuf
    bestScore.fill(0, 0, n + 1)
    startsAt.fill(-1, 0, n + 1)
    const trie = this.trie
    const { scores, isUserDefined, userBonus, unkScore } = this
    const unkId = this.table.unkId
    let start = 0
    while (start < n) {
      const c0 = normalized.charCodeAt(start)
      const charLen = c0 >= 0xd800 && c0 < 0xdc00 && start + 1 < n ? 2 : 1
      const here = bestScore[start]!
      let hasSingle = false
      let node = 0
      for (let k = start; k < n; k++) {
        node = trie.childOf(node, normalized.charCodeAt(k))
        if (node < 0) break
        const id = trie.idAt(node)
        if (id < 0) continue
        const end = k + 1
        let candidate: number
        if (isUserDefined[id]) candidate = userBonus[id]! + here
        else candidate = fround(scores[id]! + here)
        if (startsAt[end] === -1 || candidate > bestScore[end]!) {
          bestScore[end] = fround(candidate)
          startsAt[end] = start
          bestId[end] = id
        }
        if (end - start === charLen) hasSingle = true
      }
      if (!hasSingle) {
        const end = start + charLen
        const candidate = fround(unkScore + here)
        if (startsAt[end] === -1 || candidate > bestScore[end]!) {
          bestScore[end] = candidate
          startsAt[end] = start
          bestId[end] = unkId
        }
      }
      start += charLen
    }
    const out: Segment[] = []
    for (let end = n; end > 0; ) {
      const s = startsAt[end]!
      out.push([normalized.slice(s, end), bestId[end]!])
      end = s
    }
    return out.reverse()
  }
}

interface Symbol {
  prev: number
  next: number
  freeze: boolean
  piece: string
}

/** Binary max-heap of candidate merges: higher score first, then smaller left index. */
class MergeHeap {
  private left: number[] = []
  private right: number[] = []
  private score: number[] = []
  private size: number[] = []
  get length() {
    return this.left.length
  }
  private before(a: number, b: number) {
    const sa = this.score[a]!
    const sb = this.score[b]!
    return sa > sb || (sa === sb && this.left[a]! < this.left[b]!)
  }
  private swap(a: number, b: number) {
    for (const arr of [this.left, this.right, this.score, this.size]) {
      const t = arr[a]!
      arr[a] = arr[b]!
      arr[b] = t
    }
  }
  push(left: number, right: number, score: number, size: number) {
    this.left.push(left)
    this.right.push(right)
    this.score.push(score)
    this.size.push(size)
    let i = this.left.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }
  pop(): [left: number, right: number, size: number] {
    const top: [number, number, number] = [this.left[0]!, this.right[0]!, this.size[0]!]
    const last = this.left.length - 1
    this.swap(0, last)
    this.left.pop()
    this.right.pop()
    this.score.pop()
    this.size.pop()
    const n = this.left.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let best = i
      if (l < n && this.before(l, best)) best = l
      if (r < n && this.before(r, best)) best = r
      if (best === i) break
      this.swap(i, best)
      i = best
    }
    return top
  }
}

export class BpeModel {
  private readonly userDefined: string[]
  /** Whether no piece holds ▁ after a character other than ▁: then merges never cross the start of a
   * ▁-word, the words segment independently (exactly the same result) and can be cached. */
  private readonly wordsIndependent: boolean
  private readonly cache = new Map<string, Segment[]>()

  constructor(private readonly table: PieceTable) {
    // Longest first, so the first match at a position is the longest (PrefixMatcher).
    this.userDefined = [...table.userDefined].sort((a, b) => b.length - a.length)
    let independent = true
    for (const piece of table.pieces.keys()) {
      for (let i = 1; i < piece.length && independent; i++) if (piece[i] === '\u2581' && piece[i - 1] !== '\u2581') independent = false
    }
    this.wordsIndependent = independent
  }

  encode(normalized: string): Segment[] {
    if (!this.wordsIndependent) return this.encodeSpan(normalized)
    const out: Segment[] = []
    let start = 0
    for (let i = 1; i <= normalized.length; i++) {
      if (i < normalized.length && !(normalized.charCodeAt(i) === 0x2581 && normalized.charCodeAt(i - 1) !== 0x2581)) continue
      const word = normalized.slice(start, i)
      let segments = this.cache.get(word)
      if (!segments) {
        segments = this.encodeSpan(word)
        if (word.length <= 64) {
          if (this.cache.size >= 50_000) this.cache.clear()
          this.cache.set(word, segments)
        }
      }
      for (const s of segments) out.push(s)
      start = i
    }
    return out
  }

  private encodeSpan(normalized: string): Segment[] {
    if (normalized.length === 0) return []
    const { pieces, entries } = this.table
    const symbols: Symbol[] = []
    for (let pos = 0; pos < normalized.length; ) {
      let len = 0
      let freeze = false
      for (const u of this.userDefined) {
        if (normalized.startsWith(u, pos)) {
          len = u.length
          freeze = true
          break
        }
      }
      if (!len) {
        const c = normalized.charCodeAt(pos)
        len = c >= 0xd800 && c < 0xdc00 && pos + 1 < normalized.length ? 2 : 1
      }
      const index = symbols.length
      symbols.push({ prev: index - 1, next: pos + len < normalized.length ? index + 1 : -1, freeze, piece: normalized.slice(pos, pos + len) })
      pos += len
    }
    const heap = new MergeHeap()
    const maybeAdd = (left: number, right: number) => {
      if (left === -1 || right === -1) return
      const l = symbols[left]!
      const r = symbols[right]!
      if (l.freeze || r.freeze) return
      const merged = l.piece + r.piece
      const id = pieces.get(merged)
      if (id === undefined) return
      heap.push(left, right, entries[id]!.score, merged.length)
    }
    for (let i = 1; i < symbols.length; i++) maybeAdd(i - 1, i)
    while (heap.length > 0) {
      const [left, right, size] = heap.pop()
      const l = symbols[left]!
      const r = symbols[right]!
      if (l.piece === '' || r.piece === '' || l.piece.length + r.piece.length !== size) continue
      l.piece += r.piece
      l.next = r.next
      if (r.next >= 0) symbols[r.next]!.prev = left
      r.piece = ''
      maybeAdd(l.prev, left)
      maybeAdd(left, l.next)
    }
    const out: Segment[] = []
    for (let i = 0; i !== -1; i = symbols[i]!.next) {
      const piece = symbols[i]!.piece
      out.push([piece, this.table.pieceToId(piece)])
    }
    return out
  }
}
