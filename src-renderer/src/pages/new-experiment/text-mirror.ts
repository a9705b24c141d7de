/**
 * Inputs that show a value as text (numbers, comma lists) keep what the user typed ("0.", "a, ") while it
 * means the same value, and show the value itself once it changes from outside (reset, import).
 */
import { useState } from 'react'

export function useTextMirror(value: unknown, format: (value: unknown) => string, parse: (text: string) => unknown): [string, (text: string) => unknown] {
  const [typed, setTyped] = useState(() => format(value))
  const shown = JSON.stringify(parse(typed)) === JSON.stringify(value) ? typed : format(value)
  return [
    shown,
    (text) => {
      setTyped(text)
      return parse(text)
    },
  ]
}

/** A number when the text is one; otherwise the text itself, so validation can quote what was typed. */
export function parseNumber(text: string): unknown {
  const trimmed = text.trim()
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text
}

export function formatNumber(value: unknown): string {
  return value === undefined || value === null ? '' : String(value)
}

export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

export function formatList(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : formatNumber(value)
}
