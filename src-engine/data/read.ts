/** Read a data file by its extension: CSV/TSV, JSON, JSONL, Parquet → a DataTable. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { parseCsv } from './csv'
import { decodeText } from './decode'
import { DataFileError } from './errors'
import { parseJson, parseJsonLines } from './json'
import { parseParquet } from './parquet'
import type { DataFormat, DataTable } from './table'

export const dataExtensions = ['.csv', '.tsv', '.json', '.jsonl', '.parquet'] as const

export function dataFormatOf(file: string): DataFormat {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.csv' || ext === '.tsv') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl'
  if (ext === '.parquet') return 'parquet'
  throw new DataFileError({
    code: 'unsupportedFormat',
    file,
    problem: `files ending in "${ext || '(no extension)'}" are not a data format this app reads.`,
    hint: 'Use a .csv, .tsv, .json, .jsonl or .parquet file.',
  })
}

/** Parse the bytes of a data file; `file` names it in errors and decides the format. */
export async function parseDataBytes(file: string, bytes: Uint8Array): Promise<DataTable> {
  const format = dataFormatOf(file)
  if (bytes.length === 0) {
    throw new DataFileError({ code: 'emptyFile', file, problem: 'the file is empty (0 bytes).', hint: 'Choose a file with a header row and at least one data row.' })
  }
  if (format === 'parquet') return { file, format, ...(await parseParquet(file, bytes)) }
  const { text, encoding } = decodeText(file, bytes)
  if (format === 'csv') {
    const delimiter = path.extname(file).toLowerCase() === '.tsv' ? '\t' : undefined
    return { file, format, encoding, ...parseCsv(file, text, delimiter) }
  }
  if (format === 'jsonl') return { file, format, encoding, ...parseJsonLines(file, text) }
  return { file, encoding, ...parseJson(file, text) }
}

export async function readDataFile(file: string): Promise<DataTable> {
  return parseDataBytes(file, await fs.readFile(file))
}
