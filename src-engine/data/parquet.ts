/**
 * Parquet → rows with hyparquet (pure JS). SNAPPY is built in; hyparquet-compressors adds GZIP, BROTLI,
 * ZSTD and LZ4, so the files that pandas, pyarrow and the Hugging Face Hub write all read here.
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { DataFileError } from './errors'
import { plainValue, type DataRow } from './table'

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

export async function parseParquet(file: string, bytes: Uint8Array): Promise<{ columns: string[]; rows: DataRow[] }> {
  const buffer = toArrayBuffer(bytes)
  let columns: string[]
  try {
    const metadata = parquetMetadata(buffer)
    columns = parquetSchema(metadata).children.map((child) => child.element.name)
  } catch (error) {
    throw new DataFileError({
      code: 'parquet',
      file,
      problem: `this is not a readable Parquet file (${error instanceof Error ? error.message : String(error)}).`,
      hint: 'Check that the download finished and the file really is Parquet; or export the data again as CSV or JSON Lines.',
    })
  }
  let objects: Record<string, unknown>[]
  try {
    objects = await parquetReadObjects({ file: buffer, compressors })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new DataFileError({
      code: 'parquet',
      file,
      problem: `a column could not be decoded (${message}).`,
      hint: /unsupported/.test(message)
        ? 'Write the file again with SNAPPY or ZSTD compression (pandas: df.to_parquet(path, compression="snappy")), or export it as CSV or JSON Lines.'
        : 'The file may be damaged or cut short: download or export it again.',
    })
  }
  const rows = objects.map((object) => {
    const row: DataRow = {}
    for (const name of columns) row[name] = plainValue(object[name])
    return row
  })
  if (rows.length === 0) throw new DataFileError({ code: 'emptyFile', file, problem: 'the file has no rows.', hint: 'Choose a Parquet file with at least one row.' })
  return { columns, rows }
}
