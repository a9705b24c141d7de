/**
 * Bytes of a text data file → string. UTF-8 (with or without the BOM that Excel writes) first; Shift_JIS
 * (what Japanese Excel saves as "CSV") when the bytes are not valid UTF-8 but are valid Shift_JIS.
 */
import { DataFileError } from './errors'

export function decodeText(file: string, bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'shift_jis' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
    return { text, encoding: 'utf-8' }
  } catch {
    /* not UTF-8: try Shift_JIS below */
  }
  try {
    return { text: new TextDecoder('shift_jis', { fatal: true }).decode(bytes), encoding: 'shift_jis' }
  } catch {
    /* neither */
  }
  const bad = firstInvalidUtf8(bytes)
  throw new DataFileError({
    code: 'encoding',
    file,
    line: lineAtByte(bytes, bad),
    problem: `the bytes at offset ${bad} are not valid UTF-8 (nor Shift_JIS).`,
    hint: 'Save the file as UTF-8 (in Excel: "CSV UTF-8 (comma delimited)") and import it again.',
  })
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Binary search for the longest prefix that decodes (a cut multi-byte character is fine with stream).
  let lo = 0
  let hi = bytes.length
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    let ok = true
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true })
    } catch {
      ok = false
    }
    if (ok) lo = mid
    else hi = mid - 1
  }
  return lo
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++
  return line
}
