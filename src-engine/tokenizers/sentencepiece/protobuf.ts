/**
 * A tiny protocol-buffers wire-format reader: enough to walk the fields of a message (varint, 64-bit,
 * length-delimited, 32-bit) without a schema compiler. Used for SentencePiece's ModelProto.
 */

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

export interface Field {
  field: number
  wire: WireType
  /** Varint fields: the low 32 bits as a signed int32 (so proto int32 -1 reads as -1). */
  int: number
  /** Fixed32 fields: the float32 value. */
  float: number
  /** Length-delimited fields: the bytes (a view into the buffer). */
  bytes: Uint8Array
}

const empty = new Uint8Array(0)

/** Every field of one message, in file order (repeated fields appear once per element). */
export function readFields(buffer: Uint8Array): Field[] {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  const fields: Field[] = []
  let pos = 0
  const varint = (): number => {
    // Keep the low 32 bits exactly (enough for tags, lengths, int32, enum, bool); skip the rest.
    let low = 0
    let shift = 0
    for (;;) {
      if (pos >= buffer.length) throw new Error('protobuf: truncated varint')
      const byte = buffer[pos++]!
      if (shift < 32) low |= (byte & 0x7f) << shift
      shift += 7
      if ((byte & 0x80) === 0) break
      if (shift > 70) throw new Error('protobuf: varint too long')
    }
    return low | 0
  }
  while (pos < buffer.length) {
    const tag = varint() >>> 0
    const field = tag >>> 3
    const wire = (tag & 7) as WireType
    if (field === 0) throw new Error(`protobuf: invalid field number at byte ${pos}`)
    const entry: Field = { field, wire, int: 0, float: 0, bytes: empty }
    switch (wire) {
      case WireType.Varint:
        entry.int = varint()
        break
      case WireType.Fixed64:
        if (pos + 8 > buffer.length) throw new Error('protobuf: truncated fixed64')
        entry.float = view.getFloat64(pos, true)
        pos += 8
        break
      case WireType.LengthDelimited: {
        const length = varint() >>> 0
        if (pos + length > buffer.length) throw new Error('protobuf: truncated length-delimited field')
        entry.bytes = buffer.subarray(pos, pos + length)
        pos += length
        break
      }
      case WireType.Fixed32:
        if (pos + 4 > buffer.length) throw new Error('protobuf: truncated fixed32')
        entry.float = view.getFloat32(pos, true)
        entry.int = view.getInt32(pos, true)
        pos += 4
        break
      default:
        throw new Error(`protobuf: unsupported wire type ${String(wire)} (field ${field})`)
    }
    fields.push(entry)
  }
  return fields
}
