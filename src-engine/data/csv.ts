/**
 * CSV (and TSV) → rows, with papaparse. Every value stays a string, as pandas reads text columns.
 * The first row is the header; empty header names become "Unnamed: i" and repeated ones "name.1", as pandas
 * names them, so a file saved with pandas' index reads the same here as there. Blank lines are not rows.
 */
import Papa from 'papaparse'
import { DataFileError } from './errors'
import type { DataRow } from './table'

export interface CsvResult {
  columns: string[]
  rows: DataRow[]
}

const QUOTE_HINT =
  'Put text that contains commas, quotes or line breaks in double quotes, and write a quote inside such text as two quotes ("").'

function headerNames(raw: string[]): string[] {
  const used = new Map<string, number>()
  return raw.map((name, i) => {
    let out = name.trim() === '' ? `Unnamed: ${i}` : name.trim()
    const times = used.get(out) ?? 0
    used.set(out, times + 1)
    if (times > 0) out = `${out}.${times}`
    return out
  })
}

export function parseCsv(file: string, text: string, delimiter?: string): CsvResult {
  let header: string[] | undefined
  const rows: DataRow[] = []
  let failure: DataFileError | undefined
  // Line bookkeeping: papaparse tells where each row ends (cursor); count newlines as we go.
  let counted = 0
  let line = 1
  const lineAt = (offset: number) => {
    for (; counted < offset && counted < text.length; counted++) if (text.charCodeAt(counted) === 10) line++
    return line
  }
  let rowStart = 0

  Papa.parse<string[]>(text, {
    delimiter: delimiter ?? '',
    skipEmptyLines: true,
    step(result, parser) {
      let start = rowStart
      while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++
      const rowLine = lineAt(start)
      rowStart = result.meta.cursor
      const values = result.data
      const dataRow = header ? rows.length + 1 : undefined
      const quoteError = result.errors.find((e) => e.type === 'Quotes')
      if (quoteError) {
        failure = new DataFileError({
          code: 'csvQuotes',
          file,
          row: dataRow,
          line: rowLine,
          column: header?.[values.length - 1],
          problem:
            quoteError.code === 'MissingQuotes'
              ? 'a quoted value is never closed, so the rest of the file would become one value.'
              : 'a quote appears inside a quoted value without being doubled.',
          hint: QUOTE_HINT,
        })
        parser.abort()
        return
      }
      if (!header) {
        header = headerNames(values)
        return
      }
      // A trailing delimiter (an empty extra field) is harmless; real extra values are not.
      let fields = values
      while (fields.length > header.length && fields[fields.length - 1]!.trim() === '') fields = fields.slice(0, -1)
      if (fields.length !== header.length) {
        const tooMany = fields.length > header.length
        failure = new DataFileError({
          code: 'csvFieldCount',
          file,
          row: dataRow,
          line: rowLine,
          column: tooMany ? undefined : header[fields.length],
          problem: tooMany
            ? `this row has ${fields.length} values but the header names ${header.length} columns.`
            : `this row has ${fields.length} value${fields.length === 1 ? '' : 's'} but the header names ${header.length} columns; the column is missing.`,
          hint: `Check that row for a missing or extra delimiter ("${result.meta.delimiter}"). ${QUOTE_HINT}`,
        })
        parser.abort()
        return
      }
      const row: DataRow = {}
      header.forEach((name, i) => (row[name] = fields[i]))
      rows.push(row)
    },
  })
  if (failure) throw failure
  if (!header) {
    throw new DataFileError({ code: 'emptyFile', file, problem: 'the file is empty.', hint: 'Choose a file with a header row and at least one data row.' })
  }
  if (rows.length === 0) {
    throw new DataFileError({ code: 'emptyFile', file, problem: 'the file has a header row but no data rows.', hint: 'Add at least one data row below the header.' })
  }
  return { columns: header, rows }
}
