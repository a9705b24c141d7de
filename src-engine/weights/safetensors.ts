/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of JSON
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the raw data.
 * Reading maps the file once; tensors are views into that buffer (no copy).
 */
import fs from 'node:fs'
import { bytesPerElement, elementCount, storedDTypes, type StoredDType, type StoredTensor, type TensorSource } from './stored-tensor'

interface HeaderEntry {
  dtype: string
  shape: number[]
  data_offsets: [number, number]
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes))
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** Files up to this size are read whole (one Buffer, tensors are views); larger ones are read tensor by tensor. */
export const WHOLE_FILE_LIMIT = 2 ** 30

function readRange(file: string, position: number, length: number): Uint8Array {
  const fd = fs.openSync(file, 'r')
  try {
    const out = Buffer.allocUnsafeSlow(length)
    let done = 0
    while (done < length) {
      const n = fs.readSync(fd, out, done, length - done, position + done)
      if (n === 0) throw new Error(`${file}: unexpected end of file at ${position + done}`)
      done += n
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  } finally {
    fs.closeSync(fd)
  }
}

export class SafetensorsFile implements TensorSource {
  readonly metadata: Record<string, string>
  private readonly entries: Map<string, HeaderEntry>
  /** The whole data section in memory, or null when tensors are read from the file on get() (large files). */
  private readonly data: Uint8Array | null
  private readonly dataStart: number

  constructor(
    readonly file: string,
    buffer?: Uint8Array,
    options: { wholeFileLimit?: number } = {},
  ) {
    const fail = (what: string): never => {
      throw new Error(`${file} is not a valid safetensors file: ${what}. Re-download it, or re-save the model with safetensors.`)
    }
    // Node cannot read a file over 2 GiB into one Buffer: big files keep only their header in memory.
    const fileSize = buffer ? buffer.byteLength : fs.statSync(file).size
    if (!buffer && fileSize <= (options.wholeFileLimit ?? WHOLE_FILE_LIMIT)) buffer = fs.readFileSync(file)
    if (fileSize < 8) fail('it is shorter than its 8-byte header length')
    const lengthBytes = buffer ? buffer.subarray(0, 8) : readRange(file, 0, 8)
    const headerLength = Number(new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true))
    if (headerLength > fileSize - 8) fail(`its header claims ${headerLength} bytes but the file has ${fileSize}`)
    const headerBytes = buffer ? buffer.subarray(8, 8 + headerLength) : readRange(file, 8, headerLength)
    const header = parseHeader(headerBytes) ?? fail('its JSON header does not parse')
    this.metadata = (header.__metadata__ as Record<string, string> | undefined) ?? {}
    this.dataStart = 8 + headerLength
    this.data = buffer ? buffer.subarray(this.dataStart) : null
    const dataLength = fileSize - this.dataStart
    this.entries = new Map()
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') continue
      const entry = value as HeaderEntry
      if (!(storedDTypes as readonly string[]).includes(entry.dtype)) fail(`tensor "${name}" has unsupported dtype ${entry.dtype}`)
      const [begin, end] = entry.data_offsets
      const expected = elementCount(entry.shape) * bytesPerElement[entry.dtype as StoredDType]
      if (end - begin !== expected || end > dataLength) {
        fail(`tensor "${name}" (${entry.dtype} ${JSON.stringify(entry.shape)}) needs ${expected} bytes at [${begin}, ${end}) of ${dataLength}`)
      }
      this.entries.set(name, entry)
    }
  }

  names(): string[] {
    return [...this.entries.keys()]
  }

  has(name: string): boolean {
    return this.entries.has(name)
  }

  get(name: string): StoredTensor {
    const entry = this.entries.get(name)
    if (!entry) throw new Error(`Tensor "${name}" is not in ${this.file}.`)
    const [begin, end] = entry.data_offsets
    const bytes = this.data ? this.data.subarray(begin, end) : readRange(this.file, this.dataStart + begin, end - begin)
    return { dtype: entry.dtype as StoredDType, shape: [...entry.shape], bytes }
  }
}

export interface SafetensorsEntry {
  name: string
  dtype: StoredDType
  shape: number[]
}

/** The header bytes (JSON padded with spaces to 8 bytes, as the reference does) and the data size, names sorted. */
function encodeHeader(entries: readonly SafetensorsEntry[], metadata: Record<string, string>): { header: Uint8Array; order: SafetensorsEntry[]; dataBytes: number } {
  const order = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const header: Record<string, unknown> = { __metadata__: metadata }
  let offset = 0
  for (const entry of order) {
    const size = elementCount(entry.shape) * bytesPerElement[entry.dtype]
    header[entry.name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + size] }
    offset += size
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (new TextEncoder().encode(json).byteLength % 8)) % 8)
  return { header: new TextEncoder().encode(json), order, dataBytes: offset }
}

/** Serialise tensors as safetensors (names sorted, header padded with spaces to 8 bytes, as the reference does). */
export function encodeSafetensors(tensors: Record<string, StoredTensor>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    const expected = elementCount(t.shape) * bytesPerElement[t.dtype]
    if (t.bytes.byteLength !== expected) throw new Error(`Tensor "${name}": ${t.bytes.byteLength} bytes for ${t.dtype} ${JSON.stringify(t.shape)} (expected ${expected}).`)
    return { name, dtype: t.dtype, shape: t.shape }
  })
  const { header, order, dataBytes } = encodeHeader(entries, metadata)
  const out = new Uint8Array(8 + header.byteLength + dataBytes)
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true)
  out.set(header, 8)
  let cursor = 8 + header.byteLength
  for (const { name } of order) {
    out.set(tensors[name]!.bytes, cursor)
    cursor += tensors[name]!.bytes.byteLength
  }
  return out
}

export function writeSafetensors(file: string, tensors: Record<string, StoredTensor>, metadata?: Record<string, string>): void {
  // Write to a temporary name, then rename: a crash never leaves a half-written weights file behind.
  const temporary = `${file}.partial`
  fs.writeFileSync(temporary, encodeSafetensors(tensors, metadata))
  fs.renameSync(temporary, file)
}

/**
 * Write a safetensors file one tensor at a time: only the header and the tensor being written are in memory,
 * so files of any size can be written. `read(name)` supplies each tensor's bytes (called once per name, in
 * the file's sorted order). Written under a temporary name and renamed at the end.
 */
export function writeSafetensorsStreaming(
  file: string,
  entries: readonly SafetensorsEntry[],
  read: (name: string) => Uint8Array,
  metadata: Record<string, string> = { format: 'pt' },
): number {
  const { header, order, dataBytes } = encodeHeader(entries, metadata)
  const temporary = `${file}.partial-${process.pid}`
  const fd = fs.openSync(temporary, 'w')
  let written = false
  try {
    const writeAll = (bytes: Uint8Array): void => {
      let done = 0
      while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done)
    }
    const length = Buffer.alloc(8)
    length.writeBigUInt64LE(BigInt(header.byteLength))
    writeAll(length)
    writeAll(header)
    for (const entry of order) {
      const bytes = read(entry.name)
      const expected = elementCount(entry.shape) * bytesPerElement[entry.dtype]
      if (bytes.byteLength !== expected) throw new Error(`Tensor "${entry.name}": ${bytes.byteLength} bytes for ${entry.dtype} ${JSON.stringify(entry.shape)} (expected ${expected}).`)
      writeAll(bytes)
    }
    fs.closeSync(fd)
    fs.renameSync(temporary, file)
    written = true
  } finally {
    if (!written) {
      try {
        fs.closeSync(fd)
      } catch {
        // already closed (the rename failed)
      }
      fs.rmSync(temporary, { force: true })
    }
  }
  return 8 + header.byteLength + dataBytes
}
