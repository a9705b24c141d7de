/**
 * SentencePiece's normalizer (normalizer.cc): the precompiled charsmap (nmt_nfkc, nfkc, … — empty for
 * identity), user-defined symbols passed through untouched, leading/trailing/repeated whitespace removal,
 * the dummy prefix, and whitespace escaped as ▁ (U+2581). Works on UTF-8 bytes like the C++ library.
 */
import { PrecompiledCharsmap, utf8CharLength } from '../precompiled-charsmap'
import type { NormalizerSpec } from './model-proto'

const SPACE = 0x20
const SPACE_SYMBOL = [0xe2, 0x96, 0x81]

/** Longest user-defined symbol at a position (PrefixMatcher), as a trie over UTF-8 bytes. */
export class BytePrefixMatcher {
  private readonly root = new Map<number, TrieNode>()
  readonly empty: boolean

  constructor(symbols: readonly string[]) {
    const encoder = new TextEncoder()
    for (const symbol of symbols) {
      let level = this.root
      let node: TrieNode | undefined
      for (const byte of encoder.encode(symbol)) {
        node = level.get(byte)
        if (!node) {
          node = { end: false, next: new Map() }
          level.set(byte, node)
        }
        level = node.next
      }
      if (node) node.end = true
    }
    this.empty = this.root.size === 0
  }

  /** Length in bytes of the longest symbol at bytes[start..end), 0 when none. */
  match(bytes: Uint8Array, start: number, end: number): number {
    let level = this.root
    let best = 0
    for (let i = start; i < end; i++) {
      const node = level.get(bytes[i]!)
      if (!node) break
      if (node.end) best = i - start + 1
      level = node.next
    }
    return best
  }
}

interface TrieNode {
  end: boolean
  next: Map<number, TrieNode>
}

export class SentencePieceNormalizer {
  private readonly charsmap: PrecompiledCharsmap | null
  private readonly encoder = new TextEncoder()
  private readonly decoder = new TextDecoder('utf-8')

  constructor(
    private readonly spec: NormalizerSpec,
    private readonly userDefined: BytePrefixMatcher,
    private readonly treatWhitespaceAsSuffix: boolean,
  ) {
    this.charsmap = spec.precompiledCharsmap.length > 0 ? new PrecompiledCharsmap(spec.precompiledCharsmap) : null
  }

  /** Normalized text (▁ for spaces when escaping), as the C++ Normalizer::Normalize. */
  private inputBuffer = new Uint8Array(1024)
  private readonly out = new ByteBuffer(4096)
  // The normalized form of the character (or user-defined symbol) at the current position: src[srcStart, srcEnd).
  private src: Uint8Array = new Uint8Array(0)
  private srcStart = 0
  private srcEnd = 0

  /** Normalizes one character (or user-defined symbol) at input[pos]: sets src/srcStart/srcEnd and returns
   * how many input bytes it consumed (NormalizePrefix). */
  private prefix(input: Uint8Array, pos: number, end: number): number {
    if (!this.userDefined.empty) {
      const n = this.userDefined.match(input, pos, end)
      if (n > 0) {
        this.src = input
        this.srcStart = pos
        this.srcEnd = pos + n
        return n
      }
    }
    const charsmap = this.charsmap
    if (charsmap) {
      const n = charsmap.matchLength(input, pos, end)
      if (n > 0) {
        this.src = charsmap.lastReplacement
        this.srcStart = 0
        this.srcEnd = this.src.length
        return n
      }
    }
    const n = Math.min(utf8CharLength(input[pos]!), end - pos)
    this.src = input
    this.srcStart = pos
    this.srcEnd = pos + n
    return n
  }

  /** Normalized text (▁ for spaces when escaping), as the C++ Normalizer::Normalize. */
  normalize(text: string): string {
    if (text.length === 0) return ''
    // encodeInto a reused buffer: TextEncoder.encode allocates, which dominates on short lines.
    if (this.inputBuffer.length < text.length * 3) this.inputBuffer = new Uint8Array(text.length * 3 + 64)
    const input = this.inputBuffer.subarray(0, this.encoder.encodeInto(text, this.inputBuffer).written)
    const out = this.out
    out.length = 0
    const spec = this.spec
    const end = input.length
    let pos = 0
    // Heading whitespace.
    if (spec.removeExtraWhitespaces) {
      while (pos < end) {
        const consumed = this.prefix(input, pos, end)
        if (!(this.srcEnd - this.srcStart === 1 && this.src[this.srcStart] === SPACE)) break
        pos += consumed
      }
      if (pos >= end) return ''
    }
    const space = spec.escapeWhitespaces ? SPACE_SYMBOL : [SPACE]
    if (!this.treatWhitespaceAsSuffix && spec.addDummyPrefix) out.pushAll(space)
    let isPrevSpace = spec.removeExtraWhitespaces
    while (pos < end) {
      const consumed = this.prefix(input, pos, end)
      const src = this.src
      const srcEnd = this.srcEnd
      let s = this.srcStart
      while (isPrevSpace && s < srcEnd && src[s] === SPACE) s++
      if (s < srcEnd) {
        for (let i = s; i < srcEnd; i++) {
          const byte = src[i]!
          if (byte === SPACE && spec.escapeWhitespaces) out.pushAll(SPACE_SYMBOL)
          else out.push(byte)
        }
        isPrevSpace = src[srcEnd - 1] === SPACE
      }
      pos += consumed
      if (!spec.removeExtraWhitespaces) isPrevSpace = false
    }
    if (spec.removeExtraWhitespaces) {
      while (out.endsWith(space)) out.length -= space.length
    }
    if (this.treatWhitespaceAsSuffix && spec.addDummyPrefix) out.pushAll(space)
    return this.decoder.decode(out.bytes.subarray(0, out.length))
  }
}

class ByteBuffer {
  bytes: Uint8Array
  length = 0
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity)
  }
  push(byte: number) {
    if (this.length === this.bytes.length) this.grow()
    this.bytes[this.length++] = byte
  }
  pushAll(bytes: readonly number[]) {
    for (const b of bytes) this.push(b)
  }
  endsWith(bytes: readonly number[]): boolean {
    if (this.length < bytes.length) return false
    for (let i = 0; i < bytes.length; i++) if (this.bytes[this.length - bytes.length + i] !== bytes[i]) return false
    return true
  }
  private grow() {
    const next = new Uint8Array(this.bytes.length * 2 + 16)
    next.set(this.bytes)
    this.bytes = next
  }
}
