/**
 * JSON (an array of objects, or an object holding one such array, e.g. {"data": [...]}) and JSON Lines
 * (one object per line). Many Hugging Face datasets name JSON Lines files ".json": a .json file whose whole
 * text is not one JSON value but whose first line is an object is read as JSON Lines.
 */
import { DataFileError, lineOf } from './errors'
import { columnsOf, type DataRow } from './table'

const ROWS_HINT = 'Save the data as an array of objects, e.g. [{"instruction": "…", "output": "…"}, …], or as JSON Lines (.jsonl, one object per line).'

function syntaxLine(text: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : ''
  const position = /position (\d+)/.exec(message)
  if (position) return lineOf(text, Number(position[1]))
  const lineCol = /line (\d+) column/.exec(message)
  return lineCol ? Number(lineCol[1]) : undefined
}

function describeSyntax(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+.*$/, '')
}

function asRow(file: string, value: unknown, row: number, line?: number): DataRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataFileError({
      code: 'jsonRowNotObject',
      file,
      row,
      line,
      problem: `this row is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object with named columns.`,
      hint: ROWS_HINT,
    })
  }
  return value as DataRow
}

export function parseJsonLines(file: string, text: string): { columns: string[]; rows: DataRow[] } {
  const rows: DataRow[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim()
    if (source === '') continue
    let value: unknown
    try {
      value = JSON.parse(source)
    } catch (error) {
      throw new DataFileError({
        code: 'jsonSyntax',
        file,
        row: rows.length + 1,
        line: i + 1,
        problem: `this line is not valid JSON (${describeSyntax(error)}).`,
        hint: 'Each line of a JSON Lines file must be one complete JSON object; a line break inside a value must be written as \\n.',
      })
    }
    rows.push(asRow(file, value, rows.length + 1, i + 1))
  }
  if (rows.length === 0) throw new DataFileError({ code: 'emptyFile', file, problem: 'the file has no rows.', hint: 'Choose a file with at least one JSON object.' })
  return { columns: columnsOf(rows), rows }
}

function looksLikeJsonLines(text: string): boolean {
  const first = text.trimStart().split('\n', 1)[0]!.trim()
  if (!first.startsWith('{')) return false
  try {
    const value: unknown = JSON.parse(first)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
  } catch {
    return false
  }
}

export function parseJson(file: string, text: string): { columns: string[]; rows: DataRow[]; format: 'json' | 'jsonl' } {
  if (text.trim() === '') throw new DataFileError({ code: 'emptyFile', file, problem: 'the file is empty.', hint: ROWS_HINT })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    if (looksLikeJsonLines(text)) return { ...parseJsonLines(file, text), format: 'jsonl' }
    throw new DataFileError({
      code: 'jsonSyntax',
      file,
      line: syntaxLine(text, error),
      problem: `the file is not valid JSON (${describeSyntax(error)}).`,
      hint: 'Fix the JSON at that line (a missing comma, quote or bracket is the usual cause), or export the data again.',
    })
  }
  let items: unknown = value
  if (items !== null && typeof items === 'object' && !Array.isArray(items)) {
    const arrays = Object.entries(items).filter(([, v]) => Array.isArray(v))
    if (arrays.length === 1) items = arrays[0]![1]
  }
  if (!Array.isArray(items)) {
    throw new DataFileError({ code: 'jsonShape', file, problem: `the file holds ${items === null ? 'null' : `a single ${typeof items}`}, not a list of rows.`, hint: ROWS_HINT })
  }
  if (items.length === 0) throw new DataFileError({ code: 'emptyFile', file, problem: 'the list of rows is empty.', hint: ROWS_HINT })
  const rows = items.map((item, i) => asRow(file, item, i + 1))
  return { columns: columnsOf(rows), rows, format: 'json' }
}
