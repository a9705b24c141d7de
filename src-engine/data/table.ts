/** The shape every reader returns: named columns and rows of plain JSON-able values. */
export type DataFormat = 'csv' | 'json' | 'jsonl' | 'parquet'

export type DataRow = Record<string, unknown>

export interface DataTable {
  file: string
  format: DataFormat
  /** Column names in file order (the union over all rows for JSON/JSONL, first appearance first). */
  columns: string[]
  rows: DataRow[]
  /** The text encoding the file was read with (text formats only). */
  encoding?: 'utf-8' | 'shift_jis'
}

/** Values as JSON can carry them: bigints become numbers (or strings when too large), dates ISO strings. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return new TextDecoder().decode(value)
  if (Array.isArray(value)) return value.map(plainValue)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]))
  }
  return value
}

/** Column names in order of first appearance over the rows. */
export function columnsOf(rows: readonly DataRow[]): string[] {
  const seen = new Set<string>()
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key)
  return [...seen]
}
