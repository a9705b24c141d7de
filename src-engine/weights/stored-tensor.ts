/**
 * A tensor as it sits in a checkpoint file: dtype, shape and raw little-endian bytes. Every weight reader
 * (safetensors, PyTorch .bin) produces these; the model loader turns them into TensorFlow.js tensors.
 * Keeping the bytes raw lets 16-bit weights stay 16-bit until a layer needs them.
 */
export const storedDTypes = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const
export type StoredDType = (typeof storedDTypes)[number]

export const bytesPerElement: Record<StoredDType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
}

export interface StoredTensor {
  dtype: StoredDType
  shape: number[]
  /** Exactly product(shape) * bytesPerElement[dtype] bytes, little-endian, C-contiguous. */
  bytes: Uint8Array
}

/** A set of named tensors, e.g. one checkpoint file or the union of a sharded checkpoint. */
export interface TensorSource {
  names(): string[]
  has(name: string): boolean
  /** Throws an error naming the tensor and the file(s) searched when the name is absent. */
  get(name: string): StoredTensor
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1)
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** IEEE half → float32 (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

/** bfloat16 → float32 (exact: bf16 is the top half of a float32). */
export function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16
  return f32[0]!
}

/** Decode any floating StoredTensor to float32 values (copying; the source bytes are untouched). */
export function toFloat32(tensor: StoredTensor): Float32Array {
  const n = elementCount(tensor.shape)
  const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength)
  const out = new Float32Array(n)
  switch (tensor.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true)
      return out
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true)
      return out
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true))
      return out
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(view.getUint16(i * 2, true))
      return out
    default:
      throw new Error(`Expected a floating-point tensor, found ${tensor.dtype}.`)
  }
}
