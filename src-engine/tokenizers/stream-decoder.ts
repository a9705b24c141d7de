/**
 * Streaming decode that works for any tokenizer: decode a short window of ids (a few already-emitted ids as
 * context, then the new ones) and emit only the text that became stable. Text ending in U+FFFD (an
 * incomplete UTF-8 sequence: one byte of a Japanese character from a byte-fallback token, or a byte-level
 * token holding part of a character) is held back until the next id completes it, so a stream never shows
 * half a character. The context keeps decoder rules that depend on position (the dummy-prefix space that
 * SentencePiece and Metaspace strip from the first token, WordPiece's "##") the same as in a full decode;
 * decoding a window instead of everything keeps each step short on long generations.
 */
import type { DecodeOptions, StreamDecoder } from './tokenizer'

const MAX_CONTEXT = 4

export function createPrefixStreamDecoder(decode: (ids: readonly number[], options?: DecodeOptions) => string, options?: DecodeOptions): StreamDecoder {
  let window: number[] = []
  /** decode(window) at the last emit: the part of the window's text already shown. */
  let shown = ''
  /** Everything emitted so far (to check that a new context ends the same way). */
  let emitted = ''
  return {
    push(id) {
      window.push(id)
      const text = decode(window, options)
      if (text.endsWith('\uFFFD') || text.length <= shown.length || !text.startsWith(shown)) return ''
      const fresh = text.slice(shown.length)
      emitted += fresh
      shown = text
      // Shrink the window to the shortest tail of ids that decodes on its own to a clean, non-empty end of
      // what was emitted; keep it whole when none does (e.g. the last ids are pieces of one character).
      for (let k = 1; k <= Math.min(MAX_CONTEXT, window.length - 1); k++) {
        const tail = window.slice(-k)
        const tailText = decode(tail, options)
        if (tailText.length > 0 && !tailText.includes('\uFFFD') && emitted.endsWith(tailText)) {
          window = tail
          shown = tailText
          break
        }
      }
      return fresh
    },
    flush() {
      const text = decode(window, options)
      const fresh = text.startsWith(shown) ? text.slice(shown.length) : ''
      emitted += fresh
      window = []
      shown = ''
      return fresh
    },
  }
}
