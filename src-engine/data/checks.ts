/**
 * Checks over the rows under a column mapping: empty prompts or answers, duplicate prompt+answer pairs and
 * rows longer than a character limit. Each finding keeps the count and the first row numbers (1-based).
 */
import type { ColumnMapping, DatasetWarning } from '../../src-shared/datasets'
import { rowTexts } from './columns'
import type { DataRow } from './table'

const LISTED_ROWS = 10
/** Characters; a rough upper bound past which a row is surely truncated at the default lengths. */
export const defaultMaxRowChars = 8000

export function checkRows(rows: readonly DataRow[], mapping: ColumnMapping, maxRowChars = defaultMaxRowChars): DatasetWarning[] {
  const usable = mapping.messages !== null || (mapping.prompt.length > 0 && mapping.answer !== null)
  if (!usable) return [{ kind: 'noMapping', count: rows.length, rows: [] }]
  const found: Record<'emptyPrompt' | 'emptyAnswer' | 'duplicate' | 'tooLong', number[]> = {
    emptyPrompt: [],
    emptyAnswer: [],
    duplicate: [],
    tooLong: [],
  }
  const seen = new Set<string>()
  rows.forEach((row, i) => {
    const { system, prompt, answer } = rowTexts(row, mapping)
    if (prompt.trim() === '') found.emptyPrompt.push(i + 1)
    if (answer.trim() === '') found.emptyAnswer.push(i + 1)
    const key = JSON.stringify([system, prompt, answer])
    if (seen.has(key)) found.duplicate.push(i + 1)
    seen.add(key)
    if (system.length + prompt.length + answer.length > maxRowChars) found.tooLong.push(i + 1)
  })
  return (Object.entries(found) as [DatasetWarning['kind'], number[]][])
    .filter(([, list]) => list.length > 0)
    .map(([kind, list]) => ({ kind, count: list.length, rows: list.slice(0, LISTED_ROWS), ...(kind === 'tooLong' ? { limit: maxRowChars } : {}) }))
}
