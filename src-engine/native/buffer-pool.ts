/**
 * Reuse of the native kernels' output arrays. A fresh large Float32Array costs a page fault per 4 KB the
 * first time it is written (as much as a whole elementwise op on a [512, 8000] tensor) and its memory only
 * comes back at the next garbage collection. Disposed tensors' arrays are therefore kept and handed out
 * again for outputs of the same length, under rules that keep this invisible:
 * - only arrays the kernels allocated here are reused (never an array a caller passed to tf.tensor);
 * - an array that escapes (read by dataSync/data, or stored again as another tensor, or viewed by one, as
 *   the cpu Slice kernel does with subarray) is never reused;
 * - every kernel overwrites its whole output, so reused contents never show.
 */
import type * as tf from '@tensorflow/tfjs'
import type { CpuStorage } from './storage'

interface Owned {
  array: Float32Array
  stored: boolean
  escaped: boolean
}

/** Arrays below this length are cheap to allocate: not pooled. */
const minLength = 1 << 14
/** At most this much memory sits unused in the pool. */
const maxPooledBytes = 256 * 1024 * 1024

const owned = new WeakMap<ArrayBufferLike, Owned>()
const free = new Map<number, Float32Array[]>()
let pooledBytes = 0

/** A Float32Array for a kernel's output, reused when one of this length is free. Its contents are stale. */
export function allocFloats(length: number): Float32Array {
  if (length < minLength) return new Float32Array(length)
  const reused = free.get(length)?.pop()
  const array = reused ?? new Float32Array(length)
  if (reused) pooledBytes -= reused.byteLength
  owned.set(array.buffer, { array, stored: false, escaped: false })
  return array
}

function ownerOf(values: unknown): Owned | undefined {
  return values instanceof Float32Array ? owned.get(values.buffer) : undefined
}

function stored(values: unknown): void {
  const owner = ownerOf(values)
  if (!owner) return
  if (values === owner.array && !owner.stored) owner.stored = true
  else owner.escaped = true // a second tensor on the same memory, or a view into it
}

function escaped(values: unknown): void {
  const owner = ownerOf(values)
  if (owner) owner.escaped = true
}

function released(values: unknown): void {
  const owner = ownerOf(values)
  if (!owner || owner.escaped || values !== owner.array) return
  owned.delete(owner.array.buffer)
  if (pooledBytes + owner.array.byteLength > maxPooledBytes) return
  const list = free.get(owner.array.length) ?? []
  list.push(owner.array)
  free.set(owner.array.length, list)
  pooledBytes += owner.array.byteLength
}

interface PooledBackend extends CpuStorage {
  write(values: unknown, shape: number[], dtype: tf.DataType): object
  readSync(dataId: object): unknown
  disposeData(dataId: object, force?: boolean): boolean
  data: CpuStorage['data'] & { has(dataId: object): boolean }
}

/** Route a cpu-style backend's storage through the pool (its own methods, wrapped on the instance). */
export function poolBackendStorage(backend: PooledBackend): void {
  const write = backend.write.bind(backend)
  const readSync = backend.readSync.bind(backend)
  const disposeData = backend.disposeData.bind(backend)
  backend.write = (values, shape, dtype) => {
    stored(values)
    return write(values, shape, dtype)
  }
  backend.readSync = (dataId) => {
    const values = readSync(dataId)
    escaped(backend.data.get(dataId).values)
    return values
  }
  backend.disposeData = (dataId, force) => {
    const values = backend.data.has(dataId) ? backend.data.get(dataId).values : undefined
    const done = disposeData(dataId, force)
    if (done && values !== undefined && !backend.data.has(dataId)) released(values)
    return done
  }
}

/** Pooled memory, for tests and diagnostics. */
export function pooledMemory(): { bytes: number; arrays: number } {
  let arrays = 0
  for (const list of free.values()) arrays += list.length
  return { bytes: pooledBytes, arrays }
}
