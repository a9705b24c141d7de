/**
 * SentencePiece's precompiled character map (normalizer_spec.precompiled_charsmap; in tokenizer.json the
 * "Precompiled" normalizer carries the same blob, base64): a little-endian uint32 with the size of a
 * Darts-clone double-array trie, the trie's uint32 units, then a pool of NUL-terminated replacement
 * strings. The trie maps a UTF-8 byte prefix to an offset in the pool; normalization replaces the longest
 * matching prefix and copies one character when nothing matches (normalizer.cc NormalizePrefix).
 */

export interface PrefixMatch {
  /** Bytes of the input consumed. */
  length: number
  /** Replacement bytes, or null: copy the consumed bytes unchanged. */
  replacement: Uint8Array | null
}

/** Length of the UTF-8 sequence that starts with `byte` (1 for stray continuation bytes), as OneCharLen. */
export function utf8CharLength(byte: number): number {
  if (byte < 0x80) return 1
  if (byte < 0xc0) return 1
  if (byte < 0xe0) return 2
  if (byte < 0xf0) return 3
  return 4
}

export class PrecompiledCharsmap {
  private readonly units: Uint32Array
  private readonly pool: Uint8Array
  private readonly cache = new Map<number, Uint8Array>()

  constructor(blob: Uint8Array) {
    if (blob.length < 4) throw new Error('precompiled charsmap: too short')
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
    const trieSize = view.getUint32(0, true)
    if (trieSize % 4 !== 0 || 4 + trieSize > blob.length) throw new Error('precompiled charsmap: bad trie size')
    this.units = new Uint32Array(trieSize / 4)
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true)
    this.pool = blob.subarray(4 + trieSize)
    if (this.units.length > 0) {
      const root = offsetOf(this.units[0]!)
      for (let b = 0; b < 256; b++) {
        const unit = this.units[root ^ b]
        this.firstByte[b] = unit !== undefined && (unit & 0x800000ff) >>> 0 === b ? 1 : 0
      }
    }
  }

  /** Whether any entry starts with this byte (no walk needed otherwise). */
  readonly firstByte = new Uint8Array(256)
  /** The replacement found by the last successful `matchLength`. */
  lastReplacement: Uint8Array = new Uint8Array(0)

  /** Length of the longest prefix of bytes[start..end) that the map knows (0 when none); its
   * replacement is left in `lastReplacement`. */
  matchLength(bytes: Uint8Array, start: number, end: number): number {
    const units = this.units
    if (units.length === 0 || !this.firstByte[bytes[start]!]) return 0
    let nodePos = offsetOf(units[0]!)
    let bestLength = 0
    let bestValue = -1
    for (let i = start; i < end; i++) {
      const label = bytes[i]!
      nodePos ^= label
      const unit = units[nodePos]
      if (unit === undefined || (unit & 0x800000ff) >>> 0 !== label) break
      nodePos ^= offsetOf(unit)
      if ((unit >>> 8) & 1) {
        bestLength = i - start + 1
        bestValue = units[nodePos]! & 0x7fffffff
      }
    }
    if (bestLength > 0) this.lastReplacement = this.replacement(bestValue)
    return bestLength
  }

  /** Longest prefix of bytes[start..end) that the map knows (Darts-clone commonPrefixSearch), or null. */
  match(bytes: Uint8Array, start: number, end: number): PrefixMatch | null {
    const units = this.units
    if (units.length === 0) return null
    let nodePos = 0
    let unit = units[0]!
    nodePos ^= offsetOf(unit)
    let bestLength = 0
    let bestValue = -1
    for (let i = start; i < end; i++) {
      const label = bytes[i]!
      nodePos ^= label
      unit = units[nodePos]!
      if (unit === undefined || (unit & 0x800000ff) >>> 0 !== label) break
      nodePos ^= offsetOf(unit)
      if ((unit >>> 8) & 1) {
        bestLength = i - start + 1
        bestValue = units[nodePos]! & 0x7fffffff
      }
    }
    if (bestLength === 0) return null
    return { length: bestLength, replacement: this.replacement(bestValue) }
  }

  /** The replacement of the shortest prefix that the map knows (spm_precompiled's `transform` takes the
   * first common-prefix result), or null. */
  matchFirst(bytes: Uint8Array, start: number, end: number): Uint8Array | null {
    const units = this.units
    if (units.length === 0) return null
    let nodePos = offsetOf(units[0]!)
    for (let i = start; i < end; i++) {
      const label = bytes[i]!
      nodePos ^= label
      const unit = units[nodePos]
      if (unit === undefined || (unit & 0x800000ff) >>> 0 !== label) return null
      nodePos ^= offsetOf(unit)
      if ((unit >>> 8) & 1) return this.replacement(units[nodePos]! & 0x7fffffff)
    }
    return null
  }

  private replacement(offset: number): Uint8Array {
    let value = this.cache.get(offset)
    if (!value) {
      let end = offset
      while (end < this.pool.length && this.pool[end] !== 0) end++
      value = this.pool.subarray(offset, end)
      this.cache.set(offset, value)
    }
    return value
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6)
}
