/**
 * Blockwise 8-bit quantisation of optimizer state, as bitsandbytes does it (Dettmers et al. 2022,
 * "8-bit Optimizers via Block-wise Quantization"): split the flat array into blocks (2048 in the paper,
 * 256 in recent bitsandbytes), keep each block's absmax as a float32, and store every value as the byte
 * index of the nearest entry of a 256-entry code book applied to value/absmax.
 *
 * Code books:
 *   dynamic — bitsandbytes' create_dynamic_map: a decimal "dynamic exponent" type, dense near zero, for the
 *             signed first moment and (unsigned variant) the non-negative second moment;
 *   linear  — evenly spaced values over [-1, 1] (signed) or [0, 1] (unsigned). Small second moments round
 *             to 0 and the next update divides by ~eps: the run strays (the paper reports the same);
 *             kept for comparison, dynamic is the default.
 */

export type QuantizationMap = 'dynamic' | 'linear'

/**
 * bitsandbytes' create_dynamic_map(signed, max_exponent_bits=7, total_bits=8): for each decimal exponent
 * i = 0..6, the midpoints of linspace(0.1, 1, k+1) scaled by 10^(i−6), with k = 2^i (signed, mirrored
 * negative) or 2^(i+1) (unsigned); plus 0 and 1. 254 + 2 = 256 entries, sorted.
 */
export function dynamicCodeBook(signed: boolean): Float32Array {
  const maxExponentBits = 7
  const values: number[] = []
  for (let i = 0; i < maxExponentBits; i++) {
    const items = signed ? 2 ** i : 2 ** (i + 1)
    const scale = 10 ** (-(maxExponentBits - 1) + i)
    for (let j = 0; j < items; j++) {
      // boundaries = linspace(0.1, 1, items + 1); mean of neighbours.
      const lo = 0.1 + (0.9 * j) / items
      const hi = 0.1 + (0.9 * (j + 1)) / items
      const mean = (lo + hi) / 2
      values.push(scale * mean)
      if (signed) values.push(-scale * mean)
    }
  }
  values.push(0, 1)
  if (values.length !== 256) throw new Error(`dynamic code book has ${values.length} entries, expected 256`)
  return Float32Array.from(values.sort((a, b) => a - b))
}

/**
 * Evenly spaced values. Signed: (i − 127)/127 for i = 0..254, so that 0 and ±1 are exact, and entry 255
 * repeats 1 (255 distinct levels). Unsigned: i/255 over [0, 1].
 */
export function linearCodeBook(signed: boolean): Float32Array {
  const code = new Float32Array(256)
  for (let i = 0; i < 256; i++) code[i] = signed ? Math.min(i - 127, 127) / 127 : i / 255
  return code
}

export function codeBook(map: QuantizationMap, signed: boolean): Float32Array {
  return map === 'dynamic' ? dynamicCodeBook(signed) : linearCodeBook(signed)
}

/** Index of the code book entry nearest to x (code sorted ascending). */
export function nearestCode(code: Float32Array, x: number): number {
  let lo = 0
  let hi = code.length - 1
  if (x <= code[lo]!) return lo
  if (x >= code[hi]!) return hi
  // Invariant: code[lo] <= x < code[hi].
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (code[mid]! <= x) lo = mid
    else hi = mid
  }
  return x - code[lo]! <= code[hi]! - x ? lo : hi
}

export function blockCount(length: number, blockSize: number): number {
  return Math.ceil(length / blockSize)
}

/** A quantised array: one byte a value, one float32 absmax a block. */
export interface QuantizedArray {
  codes: Uint8Array
  absmax: Float32Array
}

export function emptyQuantized(length: number, blockSize: number): QuantizedArray {
  return { codes: new Uint8Array(length), absmax: new Float32Array(blockCount(length, blockSize)) }
}

/**
 * Nearest-entry search, fast: a 65536-entry table keyed by the top 16 bits of x as float32 (sign, exponent,
 * 7 mantissa bits) gives a starting index; a step or two along the code book makes it exact. Each bucket is
 * narrower than the gap between neighbouring entries of both code books, so the walk stays short. Same
 * answers as nearestCode (tested); it took an AdamW8bit step on 1M parameters from 676 to 181 ms (wasm).
 */
const bitsView = new Float32Array(1)
const bitsOf = new Uint32Array(bitsView.buffer)
const startTables = new WeakMap<Float32Array, Uint8Array>()

export function startTable(code: Float32Array): Uint8Array {
  let table = startTables.get(code)
  if (!table) {
    table = new Uint8Array(65536)
    for (let key = 0; key < 65536; key++) {
      bitsOf[0] = key << 16
      const v = bitsView[0]!
      let lo = 0
      if (!Number.isNaN(v)) while (lo < code.length - 1 && code[lo + 1]! <= v) lo++
      table[key] = lo
    }
    startTables.set(code, table)
  }
  return table
}

export function nearestCodeFast(code: Float32Array, table: Uint8Array, x: number): number {
  bitsView[0] = x
  let lo = table[bitsOf[0]! >>> 16]!
  while (lo > 0 && code[lo]! > x) lo--
  const last = code.length - 1
  while (lo < last && code[lo + 1]! <= x) lo++
  if (code[lo]! > x || lo === last) return lo
  return x - code[lo]! <= code[lo + 1]! - x ? lo : lo + 1
}

/** Quantises values[0, n) (one block) into target[offset, offset+n); returns the block's absmax. */
export function quantizeBlock(values: Float64Array | Float32Array, n: number, code: Float32Array, target: Uint8Array, offset: number): number {
  let absmax = 0
  for (let i = 0; i < n; i++) absmax = Math.max(absmax, Math.abs(values[i]!))
  const inverse = absmax > 0 ? 1 / absmax : 0
  const table = startTable(code)
  for (let i = 0; i < n; i++) target[offset + i] = nearestCodeFast(code, table, values[i]! * inverse)
  return absmax
}

export function dequantizeBlock(source: Uint8Array, offset: number, n: number, absmax: number, code: Float32Array, out: Float64Array | Float32Array): void {
  for (let i = 0; i < n; i++) out[i] = code[source[offset + i]!]! * absmax
}

/** Whole-array helpers (tests, inspection). */
export function quantizeBlockwise(values: Float32Array, blockSize: number, code: Float32Array): QuantizedArray {
  const q = emptyQuantized(values.length, blockSize)
  for (let b = 0; b < q.absmax.length; b++) {
    const start = b * blockSize
    const n = Math.min(blockSize, values.length - start)
    q.absmax[b] = quantizeBlock(values.subarray(start, start + n), n, code, q.codes, start)
  }
  return q
}

export function dequantizeBlockwise(q: QuantizedArray, blockSize: number, code: Float32Array): Float32Array {
  const out = new Float32Array(q.codes.length)
  for (let b = 0; b < q.absmax.length; b++) {
    const start = b * blockSize
    const n = Math.min(blockSize, out.length - start)
    dequantizeBlock(q.codes, start, n, q.absmax[b]!, code, out.subarray(start, start + n))
  }
  return out
}
