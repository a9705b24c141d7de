/**
 * Errors a user can act on when a data file cannot be read: which file, which row (1-based, as the user
 * counts data rows: the CSV header is not a row), which column, what is wrong and what to do.
 * `code` and `params` let a UI show the message in the user's language; `message` is the English text
 * for logs and the CLI.
 */
import path from 'node:path'
import { UserError } from '../../src-shared/user-error'

export type DataErrorCode =
  | 'unsupportedFormat'
  | 'emptyFile'
  | 'encoding'
  | 'csvQuotes'
  | 'csvFieldCount'
  | 'csvHeader'
  | 'jsonSyntax'
  | 'jsonShape'
  | 'jsonRowNotObject'
  | 'parquet'
  | 'noColumns'
  | 'missingColumn'

export interface DataErrorDetails {
  code: DataErrorCode
  file: string
  /** 1-based data row (the CSV header is not counted). */
  row?: number
  /** 1-based line in the file, where the format has lines (CSV, JSON, JSONL). */
  line?: number
  column?: string
  /** What is wrong, in one sentence. */
  problem: string
  /** What the user can do about it. */
  hint: string
}

export class DataFileError extends UserError {
  readonly details: DataErrorDetails
  constructor(details: DataErrorDetails) {
    super(formatDataError(details), details.code, locationOf(details))
    this.name = 'DataFileError'
    this.details = details
  }
}

/** Where the problem is, as the UI's message parameters: the file's name (not its path), row, line, column. */
function locationOf(d: DataErrorDetails): Record<string, string | number> {
  const where: Record<string, string | number> = { file: path.basename(d.file) }
  if (d.row !== undefined) where.row = d.row
  if (d.line !== undefined) where.line = d.line
  if (d.column !== undefined) where.column = d.column
  return where
}

export function formatDataError(d: DataErrorDetails): string {
  const where = [
    path.basename(d.file),
    d.row !== undefined ? `row ${d.row}` : undefined,
    d.line !== undefined ? `line ${d.line}` : undefined,
    d.column !== undefined ? `column "${d.column}"` : undefined,
  ].filter(Boolean)
  return `${where.join(', ')}: ${d.problem} ${d.hint}`
}

/** 1-based line of a character offset in a text. */
export function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}
