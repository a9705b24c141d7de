/**
 * Strided views → C-contiguous bytes. A PyTorch tensor is (storage, offset, shape, strides), all counted in
 * elements; a safetensors / StoredTensor is dense row-major. Views that are already dense become one slice;
 * anything else (transposes, steps, stride-0 broadcasts) is gathered run by run.
 */
import { elementCount } from '../stored-tensor'

/** The element span [first, last + 1) of the storage that a view touches, relative to nothing (absolute). */
export function viewSpan(offset: number, shape: readonly number[], stride: readonly number[]): { begin: number; end: number } {
  if (elementCount(shape) === 0) return { begin: offset, end: offset }
  let last = offset
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!
  return { begin: offset, end: last + 1 }
}

/** True when the strides are row-major for the shape (size-1 dimensions may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue
    if (stride[d] !== expected) return false
    expected *= shape[d]!
  }
  return true
}

/**
 * Gather a view into dense row-major bytes. `source` holds the storage's elements from `sourceBegin`
 * (an element index) on; `offset` and the strides are in elements of `elementSize` bytes.
 */
export function gatherStrided(
  source: Uint8Array,
  sourceBegin: number,
  elementSize: number,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): Uint8Array {
  const n = elementCount(shape)
  const out = new Uint8Array(n * elementSize)
  if (n === 0) return out
  const rank = shape.length
  if (rank === 0) {
    out.set(source.subarray((offset - sourceBegin) * elementSize, (offset - sourceBegin + 1) * elementSize))
    return out
  }
  // Innermost dimension: one copy when its stride is 1, element by element otherwise.
  const inner = shape[rank - 1]!
  const innerStride = stride[rank - 1]!
  const runBytes = inner * elementSize
  const index = new Array<number>(rank - 1).fill(0)
  let base = offset - sourceBegin
  let cursor = 0
  for (;;) {
    if (innerStride === 1) {
      out.set(source.subarray(base * elementSize, base * elementSize + runBytes), cursor)
      cursor += runBytes
    } else {
      for (let i = 0; i < inner; i++) {
        const from = (base + i * innerStride) * elementSize
        for (let b = 0; b < elementSize; b++) out[cursor++] = source[from + b]!
      }
    }
    // Odometer over the outer dimensions.
    let d = rank - 2
    while (d >= 0) {
      const next = index[d]! + 1
      base += stride[d]!
      if (next < shape[d]!) {
        index[d] = next
        break
      }
      base -= next * stride[d]!
      index[d] = 0
      d--
    }
    if (d < 0) return out
  }
}
