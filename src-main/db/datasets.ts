/** Dataset rows: an imported file's normalized copy, its shape and a preview. */
import type { DatasetSummary } from '../../src-shared/entities'
import { newId } from '../../src-shared/ids'
import type { SqliteDatabase } from './database'

interface DatasetRow {
  id: string
  name: string
  source: string
  path: string
  format: DatasetSummary['format']
  rows: number
  columns_json: string
  created_at: number
}

export interface NewDataset {
  name: string
  source: string
  path: string
  format: DatasetSummary['format']
  rows: number
  columns: string[]
  preview?: Record<string, unknown>[]
}

function toSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    format: row.format,
    rows: row.rows,
    columns: JSON.parse(row.columns_json) as string[],
    createdAt: row.created_at,
  }
}

export function createDatasetRepository(db: SqliteDatabase) {
  const insert = db.prepare(`
    INSERT INTO datasets (id, name, source, path, format, rows, columns_json, preview_json, created_at)
    VALUES (@id, @name, @source, @path, @format, @rows, @columns_json, @preview_json, @created_at)`)
  return {
    create(input: NewDataset): DatasetSummary {
      const id = newId('ds')
      insert.run({
        id,
        name: input.name,
        source: input.source,
        path: input.path,
        format: input.format,
        rows: input.rows,
        columns_json: JSON.stringify(input.columns),
        preview_json: JSON.stringify(input.preview ?? []),
        created_at: Date.now(),
      })
      return this.get(id)!
    },
    get(id: string): DatasetSummary | undefined {
      const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
      return row ? toSummary(row) : undefined
    },
    path(id: string): string {
      const row = db.prepare('SELECT path FROM datasets WHERE id = ?').get(id) as { path: string } | undefined
      if (!row) throw new Error(`No dataset with id ${id}.`)
      return row.path
    },
    list(): DatasetSummary[] {
      return (db.prepare('SELECT * FROM datasets ORDER BY created_at DESC, rowid DESC').all() as DatasetRow[]).map(toSummary)
    },
  }
}

export type DatasetRepository = ReturnType<typeof createDatasetRepository>
