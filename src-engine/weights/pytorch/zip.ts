/**
 * A minimal ZIP reader for PyTorch checkpoints (torch.save's zip format since 1.6). PyTorch writes every
 * entry "stored" (uncompressed, 64-byte aligned) and switches to ZIP64 records past 4 GiB / 65535 entries.
 * We read the central directory (the authoritative list; local headers only locate the data) through a
 * file descriptor with positioned reads, so multi-GiB checkpoints never have to fit in one Buffer.
 * Deflated entries (a checkpoint re-zipped by another tool) are inflated with node:zlib; anything else is
 * refused. Encryption, multi-disk archives and data descriptors without sizes are out of scope.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'

export interface ZipEntry {
  name: string
  /** 0 = stored, 8 = deflate. */
  method: number
  compressedSize: number
  size: number
  /** Offset of the entry's local file header. */
  headerOffset: number
}

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50

function readAt(fd: number, position: number, length: number): Buffer {
  // Not zero-filled and not from the shared pool (offset 0, own memory): every byte is read or we throw.
  const buffer = Buffer.allocUnsafeSlow(length)
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  if (done !== length) throw new Error(`unexpected end of file reading ${length} bytes at offset ${position}`)
  return buffer
}

function u64(view: Buffer, at: number): number {
  const value = view.readBigUInt64LE(at)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('a ZIP64 size or offset is larger than 2^53')
  return Number(value)
}

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>()
  private readonly dataOffsets = new Map<string, number>()
  private fd: number | null = null

  constructor(readonly file: string) {
    const fd = fs.openSync(file, 'r')
    try {
      this.readCentralDirectory(fd, fs.fstatSync(fd).size)
    } finally {
      fs.closeSync(fd)
    }
  }

  private readCentralDirectory(fd: number, fileSize: number): void {
    // The end-of-central-directory record is 22 bytes plus a comment of at most 65535 bytes.
    const tailLength = Math.min(fileSize, 22 + 65535 + 20)
    const tailStart = fileSize - tailLength
    const tail = readAt(fd, tailStart, tailLength)
    let eocd = -1
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i
        break
      }
    }
    if (eocd < 0) throw new Error('no ZIP end-of-central-directory record (truncated or not a zip file)')
    let count = tail.readUInt16LE(eocd + 10)
    let directorySize = tail.readUInt32LE(eocd + 12)
    let directoryOffset = tail.readUInt32LE(eocd + 16)
    // ZIP64: a locator sits just before the classic record and points at the 64-bit one.
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64Offset = u64(tail, eocd - 20 + 8)
      const record = readAt(fd, zip64Offset, 56)
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new Error('broken ZIP64 end-of-central-directory record')
      count = u64(record, 32)
      directorySize = u64(record, 40)
      directoryOffset = u64(record, 48)
    }
    if (directoryOffset + directorySize > fileSize) throw new Error('the ZIP central directory lies past the end of the file (truncated download?)')
    const directory = readAt(fd, directoryOffset, directorySize)
    let at = 0
    for (let i = 0; i < count; i++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`broken ZIP central directory at entry ${i}`)
      const flags = directory.readUInt16LE(at + 8)
      const method = directory.readUInt16LE(at + 10)
      let compressedSize = directory.readUInt32LE(at + 20)
      let size = directory.readUInt32LE(at + 24)
      const nameLength = directory.readUInt16LE(at + 28)
      const extraLength = directory.readUInt16LE(at + 30)
      const commentLength = directory.readUInt16LE(at + 32)
      let headerOffset = directory.readUInt32LE(at + 42)
      const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength)
      // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF are present, in order.
      let extra = at + 46 + nameLength
      const extraEnd = extra + extraLength
      while (extra + 4 <= extraEnd) {
        const id = directory.readUInt16LE(extra)
        const length = directory.readUInt16LE(extra + 2)
        if (id === 0x0001) {
          let field = extra + 4
          if (size === 0xffffffff) {
            size = u64(directory, field)
            field += 8
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(directory, field)
            field += 8
          }
          if (headerOffset === 0xffffffff) headerOffset = u64(directory, field)
        }
        extra += 4 + length
      }
      if (flags & 0x1) throw new Error(`entry ${name} is encrypted`)
      this.entries.set(name, { name, method, compressedSize, size, headerOffset })
      at = extraEnd + commentLength
    }
  }

  private open(): number {
    this.fd ??= fs.openSync(this.file, 'r')
    return this.fd
  }

  /** Release the file descriptor (reads reopen it on demand). */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd)
    this.fd = null
  }

  private dataOffset(entry: ZipEntry): number {
    let offset = this.dataOffsets.get(entry.name)
    if (offset === undefined) {
      const header = readAt(this.open(), entry.headerOffset, 30)
      if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`broken ZIP local header for ${entry.name}`)
      offset = entry.headerOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
      this.dataOffsets.set(entry.name, offset)
    }
    return offset
  }

  /** Bytes [start, start + length) of an entry's uncompressed content (the whole entry by default). */
  read(name: string, start = 0, length?: number): Buffer {
    const entry = this.entries.get(name)
    if (!entry) throw new Error(`the archive has no entry ${name}`)
    const want = length ?? entry.size - start
    if (start < 0 || want < 0 || start + want > entry.size) throw new Error(`entry ${name} has ${entry.size} bytes; asked for [${start}, ${start + want})`)
    const offset = this.dataOffset(entry)
    if (entry.method === 0) return readAt(this.open(), offset + start, want)
    if (entry.method === 8) {
      const inflated = zlib.inflateRawSync(readAt(this.open(), offset, entry.compressedSize))
      if (inflated.length !== entry.size) throw new Error(`entry ${name} inflates to ${inflated.length} bytes, expected ${entry.size}`)
      return inflated.subarray(start, start + want)
    }
    throw new Error(`entry ${name} uses ZIP compression method ${entry.method}; only stored (0) and deflate (8) are supported`)
  }
}

/** True when the file starts with a ZIP local header ("PK\x03\x04"). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04
}
