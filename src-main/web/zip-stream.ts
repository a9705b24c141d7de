/**
 * A streaming ZIP writer for folders on disk (the exported adapter and merged model): entries are stored,
 * not deflated (safetensors weights do not compress), so the archive's size is known before the first byte
 * and is sent as Content-Length. Each file is read twice — once for its CRC-32 just before its entry, once
 * to copy it — so the local header carries the real CRC and sizes (no data descriptors, which some readers
 * mishandle for stored entries). ZIP64 records are written when a size, an offset or the entry count does
 * not fit the classic 32/16-bit fields (a merged model over 4 GiB), following APPNOTE.TXT 6.3.10 §4.3–4.5.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'

export interface ZipEntry {
  /** Path inside the archive, '/'-separated. */
  name: string
  file: string
  size: number
  mtime: Date
}

const LOCAL_HEADER = 30
const CENTRAL_HEADER = 46
const END_RECORD = 22
const ZIP64_END_RECORD = 56
const ZIP64_LOCATOR = 20
const MAX32 = 0xffffffff
const MAX16 = 0xffff
/** 4.5 (ZIP64) or 2.0 (stored files and folders), in the "version needed" fields. */
const versionNeeded = (zip64: boolean) => (zip64 ? 45 : 20)
/** bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800

/** Every regular file under a folder, sorted, with '/'-separated names under `prefix`. */
export function folderEntries(dir: string, prefix: string): ZipEntry[] {
  const walk = (at: string): ZipEntry[] =>
    fs
      .readdirSync(at, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((entry) => {
        const full = path.join(at, entry.name)
        if (entry.isDirectory()) return walk(full)
        if (!entry.isFile()) return []
        const stat = fs.statSync(full)
        return [{ name: `${prefix}/${path.relative(dir, full).split(path.sep).join('/')}`, file: full, size: stat.size, mtime: stat.mtime }]
      })
  return walk(dir)
}

/** MS-DOS date and time (local time, 2-second resolution), as ZIP stores them. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107)
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  }
}

interface Placed extends ZipEntry {
  offset: number
  nameBytes: Buffer
  zip64: boolean
}

function place(entries: ZipEntry[], forceZip64: boolean): { placed: Placed[]; centralOffset: number } {
  let offset = 0
  const placed = entries.map((entry) => {
    const nameBytes = Buffer.from(entry.name, 'utf8')
    // The local header's ZIP64 field holds the two sizes; the central one adds the offset when needed.
    const zip64 = forceZip64 || entry.size >= MAX32 || offset >= MAX32
    const item = { ...entry, offset, nameBytes, zip64 }
    offset += LOCAL_HEADER + nameBytes.length + (zip64 ? 20 : 0) + entry.size
    return item
  })
  return { placed, centralOffset: offset }
}

function centralSize(placed: Placed[]): number {
  return placed.reduce((n, e) => n + CENTRAL_HEADER + e.nameBytes.length + (e.zip64 ? 28 : 0), 0)
}

function needsZip64End(placed: Placed[], centralOffset: number, forceZip64: boolean): boolean {
  return forceZip64 || placed.length >= MAX16 || centralOffset >= MAX32 || centralSize(placed) >= MAX32
}

/** The archive's exact byte length, for Content-Length. */
export function zipSize(entries: ZipEntry[], options: { forceZip64?: boolean } = {}): number {
  const forceZip64 = options.forceZip64 ?? false
  const { placed, centralOffset } = place(entries, forceZip64)
  const end = needsZip64End(placed, centralOffset, forceZip64) ? ZIP64_END_RECORD + ZIP64_LOCATOR : 0
  return centralOffset + centralSize(placed) + end + END_RECORD
}

async function fileCrc(file: string): Promise<number> {
  let crc = 0
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) crc = zlib.crc32(chunk as Buffer, crc)
  return crc
}

/**
 * The fields a local and a central header share, in the same order: version needed to extract, flags,
 * method (stored), DOS time and date, CRC-32, both sizes (0xFFFFFFFF when the ZIP64 extra holds them), name
 * length and extra length. 26 bytes from `at`.
 */
function writeSharedFields(header: Buffer, at: number, entry: Placed, crc: number, extra: number): void {
  const { time, date } = dosDateTime(entry.mtime)
  header.writeUInt16LE(versionNeeded(entry.zip64), at)
  header.writeUInt16LE(UTF8_FLAG, at + 2)
  header.writeUInt16LE(0, at + 4) // stored
  header.writeUInt16LE(time, at + 6)
  header.writeUInt16LE(date, at + 8)
  header.writeUInt32LE(crc, at + 10)
  header.writeUInt32LE(entry.zip64 ? MAX32 : entry.size, at + 14)
  header.writeUInt32LE(entry.zip64 ? MAX32 : entry.size, at + 18)
  header.writeUInt16LE(entry.nameBytes.length, at + 22)
  header.writeUInt16LE(extra, at + 24)
}

/** The name, then (ZIP64) the extended-information extra field: both sizes, and the offset when given. */
function writeNameAndZip64(header: Buffer, at: number, entry: Placed, offset: number | null): void {
  entry.nameBytes.copy(header, at)
  if (!entry.zip64) return
  const extraAt = at + entry.nameBytes.length
  header.writeUInt16LE(0x0001, extraAt)
  header.writeUInt16LE(offset === null ? 16 : 24, extraAt + 2)
  header.writeBigUInt64LE(BigInt(entry.size), extraAt + 4)
  header.writeBigUInt64LE(BigInt(entry.size), extraAt + 12)
  if (offset !== null) header.writeBigUInt64LE(BigInt(offset), extraAt + 20)
}

function localHeader(entry: Placed, crc: number): Buffer {
  const extra = entry.zip64 ? 20 : 0
  const header = Buffer.alloc(LOCAL_HEADER + entry.nameBytes.length + extra)
  header.writeUInt32LE(0x04034b50, 0)
  writeSharedFields(header, 4, entry, crc, extra)
  writeNameAndZip64(header, LOCAL_HEADER, entry, null)
  return header
}

function centralHeader(entry: Placed, crc: number): Buffer {
  const extra = entry.zip64 ? 28 : 0
  const header = Buffer.alloc(CENTRAL_HEADER + entry.nameBytes.length + extra)
  header.writeUInt32LE(0x02014b50, 0)
  header.writeUInt16LE((3 << 8) | versionNeeded(entry.zip64), 4) // made by: Unix
  writeSharedFields(header, 6, entry, crc, extra)
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38) // external attributes: a regular file, rw-r--r--
  header.writeUInt32LE(entry.zip64 ? MAX32 : entry.offset, 42)
  writeNameAndZip64(header, CENTRAL_HEADER, entry, entry.offset)
  return header
}

function endRecords(count: number, centralOffset: number, size: number, zip64: boolean): Buffer {
  const end = Buffer.alloc(END_RECORD)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(zip64 ? MAX16 : count, 8)
  end.writeUInt16LE(zip64 ? MAX16 : count, 10)
  end.writeUInt32LE(zip64 ? MAX32 : size, 12)
  end.writeUInt32LE(zip64 ? MAX32 : centralOffset, 16)
  if (!zip64) return end
  const record = Buffer.alloc(ZIP64_END_RECORD)
  record.writeUInt32LE(0x06064b50, 0)
  record.writeBigUInt64LE(BigInt(ZIP64_END_RECORD - 12), 4)
  record.writeUInt16LE((3 << 8) | 45, 12)
  record.writeUInt16LE(45, 14)
  record.writeBigUInt64LE(BigInt(count), 24)
  record.writeBigUInt64LE(BigInt(count), 32)
  record.writeBigUInt64LE(BigInt(size), 40)
  record.writeBigUInt64LE(BigInt(centralOffset), 48)
  const locator = Buffer.alloc(ZIP64_LOCATOR)
  locator.writeUInt32LE(0x07064b50, 0)
  locator.writeBigUInt64LE(BigInt(centralOffset + size), 8)
  locator.writeUInt32LE(1, 16)
  return Buffer.concat([record, locator, end])
}

/** The archive as a byte stream; a file that changes size while it is read fails the stream. */
export function zipStream(entries: ZipEntry[], options: { forceZip64?: boolean } = {}): Readable {
  const forceZip64 = options.forceZip64 ?? false
  async function* bytes(): AsyncGenerator<Buffer> {
    const { placed, centralOffset } = place(entries, forceZip64)
    const crcs: number[] = []
    for (const entry of placed) {
      const crc = await fileCrc(entry.file)
      crcs.push(crc)
      yield localHeader(entry, crc)
      let copied = 0
      for await (const chunk of fs.createReadStream(entry.file, { highWaterMark: 1 << 20 })) {
        copied += (chunk as Buffer).length
        yield chunk as Buffer
      }
      if (copied !== entry.size) throw new Error(`${entry.file} changed while it was being zipped (${copied} bytes, expected ${entry.size}). Download it again.`)
    }
    const central = placed.map((entry, i) => centralHeader(entry, crcs[i]!))
    yield* central
    yield endRecords(placed.length, centralOffset, centralSize(placed), needsZip64End(placed, centralOffset, forceZip64))
  }
  return Readable.from(bytes(), { objectMode: false })
}
