/** Dataset rows: an imported file's normalized copy, its shape, a preview, its checks and column mapping. */
import type { ColumnKind, ColumnMapping, DatasetDetail, DatasetWarning } from '../../src-shared/datasets'
import type { DatasetSummary } from '../../src-shared/entities'
import { newId } from '../../src-shared/ids'
import type { SqliteDatabase } from './database'
import { UserError } from '../../src-shared/user-error'

interface DatasetRow {
  id: string
  name: string
  source: string
  path: string
  format: DatasetSummary['format']
  rows: number
  columns_json: string
  preview_json: string
  stats_json: string | null
  mapping_json: string | null
  created_at: number
}

/** What the import measured, kept as stats_json. */
export interface DatasetStats {
  columnKinds: Record<string, ColumnKind>
  guess: ColumnMapping
  warnings: DatasetWarning[]
  encoding: string | null
  fileBytes: number
}

export interface NewDataset {
  /** Given when the caller already made the dataset's folder under this id. */
  id?: string
  name: string
  source: string
  path: string
  format: DatasetSummary['format']
  rows: number
  columns: string[]
  preview?: Record<string, unknown>[]
  stats?: DatasetStats
}

const noMapping: ColumnMapping = { prompt: [], answer: null, system: null, messages: null }

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

function toDetail(row: DatasetRow): DatasetDetail {
  const stats: Partial<DatasetStats> = row.stats_json ? (JSON.parse(row.stats_json) as DatasetStats) : {}
  const guess = stats.guess ?? noMapping
  return {
    summary: toSummary(row),
    columnKinds: stats.columnKinds ?? {},
    preview: JSON.parse(row.preview_json) as Record<string, unknown>[],
    mapping: row.mapping_json ? (JSON.parse(row.mapping_json) as ColumnMapping) : guess,
    guess,
    warnings: stats.warnings ?? [],
    encoding: stats.encoding ?? null,
    fileBytes: stats.fileBytes ?? 0,
  }
}

export function createDatasetRepository(db: SqliteDatabase) {
  const insert = db.prepare(`
    INSERT INTO datasets (id, name, source, path, format, rows, columns_json, preview_json, stats_json, created_at)
    VALUES (@id, @name, @source, @path, @format, @rows, @columns_json, @preview_json, @stats_json, @created_at)`)
  const select = (id: string) => db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
  return {
    create(input: NewDataset): DatasetSummary {
      const id = input.id ?? newId('ds')
      insert.run({
        id,
        name: input.name,
        source: input.source,
        path: input.path,
        format: input.format,
        rows: input.rows,
        columns_json: JSON.stringify(input.columns),
        preview_json: JSON.stringify(input.preview ?? []),
        stats_json: input.stats ? JSON.stringify(input.stats) : null,
        created_at: Date.now(),
      })
      return this.get(id)!
    },
    get(id: string): DatasetSummary | undefined {
      const row = select(id)
      return row ? toSummary(row) : undefined
    },
    detail(id: string): DatasetDetail | undefined {
      const row = select(id)
      return row ? toDetail(row) : undefined
    },
    path(id: string): string {
      const row = db.prepare('SELECT path FROM datasets WHERE id = ?').get(id) as { path: string } | undefined
      if (!row) throw new UserError(`No dataset with id ${id}.`, 'datasetMissing', { id })
      return row.path
    },
    list(): DatasetSummary[] {
      return (db.prepare('SELECT * FROM datasets ORDER BY created_at DESC, rowid DESC').all() as DatasetRow[]).map(toSummary)
    },
    /** Store the user's column choice and the checks' warnings under it. */
    setMapping(id: string, mapping: ColumnMapping, warnings: DatasetWarning[]): void {
      const row = select(id)
      if (!row) throw new UserError(`No dataset with id ${id}.`, 'datasetMissing', { id })
      const stats = { ...(row.stats_json ? (JSON.parse(row.stats_json) as DatasetStats) : {}), warnings }
      db.prepare('UPDATE datasets SET mapping_json = ?, stats_json = ? WHERE id = ?').run(JSON.stringify(mapping), JSON.stringify(stats), id)
    },
    /** Remove the row (experiments keep their rows, with dataset_id set to NULL). */
    delete(id: string): boolean {
      return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0
    },
  }
}

export type DatasetRepository = ReturnType<typeof createDatasetRepository>
