/**
 * Streaming decode that works for any tokenizer: decode the ids seen so far and emit only the text that
 * is stable. Text ending in U+FFFD (an incomplete UTF-8 sequence, e.g. one byte of a Japanese character
 * from a byte-fallback token) is held back until the next id completes it.
 */
import type { DecodeOptions, StreamDecoder } from './tokenizer'

export function createPrefixStreamDecoder(decode: (ids: readonly number[], options?: DecodeOptions) => string, options?: DecodeOptions): StreamDecoder {
  const ids: number[] = []
  let emitted = ''
  return {
    push(id) {
      ids.push(id)
      const text = decode(ids, options)
      if (text.endsWith('\uFFFD') || !text.startsWith(emitted)) return ''
      const fresh = text.slice(emitted.length)
      emitted = text
      return fresh
    },
    flush() {
      const text = decode(ids, options)
      const fresh = text.startsWith(emitted) ? text.slice(emitted.length) : ''
      emitted = text
      return fresh
    },
  }
}
