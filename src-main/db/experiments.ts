/** Experiment rows: the config as JSON, a status, and what the run reported about itself. */
import type { ExperimentStatus, ExperimentSummary } from '../../src-shared/entities'
import { newId } from '../../src-shared/ids'
import type { SqliteDatabase } from './database'
import { UserError, type CodedMessage } from '../../src-shared/user-error'

interface ExperimentRow {
  id: string
  name: string
  status: ExperimentStatus
  config_json: string
  backbone: string
  dataset_id: string | null
  dataset_name: string | null
  backend: string | null
  device: string | null
  error: string | null
  error_code_json: string | null
  progress: number
  eta_seconds: number | null
  best_metric_name: string | null
  best_metric_value: number | null
  created_at: number
  started_at: number | null
  finished_at: number | null
}

function toSummary(row: ExperimentRow): ExperimentSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    backbone: row.backbone,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    progress: row.progress,
    etaSeconds: row.eta_seconds,
    bestMetric:
      row.best_metric_name !== null && row.best_metric_value !== null
        ? { name: row.best_metric_name, value: row.best_metric_value }
        : null,
    backend: row.backend,
    device: row.device,
    error: row.error,
    errorCode: row.error_code_json ? (JSON.parse(row.error_code_json) as CodedMessage) : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }
}

const selectSummary = `
  SELECT e.*, d.name AS dataset_name
  FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id`

export interface NewExperiment {
  name: string
  config: unknown
  backbone: string
  datasetId?: string | null
}

export interface ExperimentFilter {
  status?: ExperimentStatus[]
  search?: string
}

export function createExperimentRepository(db: SqliteDatabase) {
  const insert = db.prepare(`
    INSERT INTO experiments (id, name, status, config_json, backbone, dataset_id, created_at, updated_at)
    VALUES (@id, @name, 'queued', @config_json, @backbone, @dataset_id, @now, @now)`)
  const byId = db.prepare(`${selectSummary} WHERE e.id = ?`)
  const configById = db.prepare('SELECT config_json FROM experiments WHERE id = ?')
  const statusUpdate = db.prepare(`
    UPDATE experiments
    SET status = @status, error = @error, error_code_json = @error_code_json, updated_at = @now,
        progress    = CASE WHEN @status = 'finished' THEN 1 ELSE progress END,
        eta_seconds = CASE WHEN @status = 'running' THEN eta_seconds ELSE NULL END,
        started_at  = CASE WHEN @status = 'running' AND started_at IS NULL THEN @now ELSE started_at END,
        finished_at = CASE WHEN @status IN ('finished', 'failed', 'stopped', 'interrupted') THEN @now ELSE finished_at END
    WHERE id = @id`)

  return {
    create(input: NewExperiment): ExperimentSummary {
      const id = newId('exp')
      try {
        insert.run({
          id,
          name: input.name,
          config_json: JSON.stringify(input.config),
          backbone: input.backbone,
          dataset_id: input.datasetId ?? null,
          now: Date.now(),
        })
      } catch (error) {
        if (error instanceof Error && /UNIQUE constraint failed: experiments.name/.test(error.message)) {
          throw new UserError(`An experiment named "${input.name}" already exists. Choose another experiment_name.`, 'experimentNameTaken', { name: input.name })
        }
        throw error
      }
      return this.get(id)!
    },

    get(id: string): ExperimentSummary | undefined {
      const row = byId.get(id) as ExperimentRow | undefined
      return row ? toSummary(row) : undefined
    },

    config(id: string): unknown {
      const row = configById.get(id) as { config_json: string } | undefined
      if (!row) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
      return JSON.parse(row.config_json)
    },

    list(filter: ExperimentFilter = {}): ExperimentSummary[] {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.status && filter.status.length > 0) {
        where.push(`e.status IN (${filter.status.map(() => '?').join(', ')})`)
        params.push(...filter.status)
      }
      if (filter.search && filter.search.trim() !== '') {
        where.push("(e.name LIKE ? ESCAPE '\\' OR e.backbone LIKE ? ESCAPE '\\')")
        const pattern = `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        params.push(pattern, pattern)
      }
      const sql = `${selectSummary} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.created_at DESC, e.rowid DESC`
      return (db.prepare(sql).all(...params) as ExperimentRow[]).map(toSummary)
    },

    setStatus(id: string, status: ExperimentStatus, error: string | null = null, errorCode: CodedMessage | null = null): void {
      const result = statusUpdate.run({ id, status, error, error_code_json: errorCode ? JSON.stringify(errorCode) : null, now: Date.now() })
      if (result.changes === 0) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
    },

    rename(id: string, name: string): void {
      const trimmed = name.trim()
      if (trimmed === '') throw new UserError('An experiment name cannot be empty.', 'experimentNameEmpty')
      try {
        const result = db.prepare('UPDATE experiments SET name = ?, updated_at = ? WHERE id = ?').run(trimmed, Date.now(), id)
        if (result.changes === 0) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
      } catch (error) {
        if (error instanceof Error && /UNIQUE constraint failed: experiments.name/.test(error.message)) {
          throw new UserError(`An experiment named "${trimmed}" already exists. Choose another name.`, 'experimentNameTaken', { name: trimmed })
        }
        throw error
      }
    },

    /** A name not taken yet: "base", else "base (2)", "base (3)", … */
    freeName(base: string): string {
      const taken = new Set((db.prepare('SELECT name FROM experiments WHERE name = ? OR name LIKE ?').all(base, `${base} (%)`) as { name: string }[]).map((r) => r.name))
      if (!taken.has(base)) return base
      for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`
    },

    /** Removes the row and, through foreign keys, its metrics and logs. */
    delete(id: string): void {
      if (db.prepare('DELETE FROM experiments WHERE id = ?').run(id).changes === 0) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
    },

    /** What the running engine reports about itself: how far it is and where it runs. */
    setProgress(id: string, progress: number, etaSeconds: number | null): void {
      db.prepare('UPDATE experiments SET progress = ?, eta_seconds = ?, updated_at = ? WHERE id = ?').run(
        Math.min(1, Math.max(0, progress)),
        etaSeconds,
        Date.now(),
        id,
      )
    },

    setBackend(id: string, backend: string, device: string): void {
      db.prepare('UPDATE experiments SET backend = ?, device = ?, updated_at = ? WHERE id = ?').run(backend, device, Date.now(), id)
    },

    setBestMetric(id: string, name: string, value: number): void {
      db.prepare('UPDATE experiments SET best_metric_name = ?, best_metric_value = ?, updated_at = ? WHERE id = ?').run(name, value, Date.now(), id)
    },

    /** Experiments a previous run of the app left 'running': their engine child died with it. */
    markOrphansInterrupted(): number {
      const now = Date.now()
      return db
        .prepare(
          `UPDATE experiments SET status = 'interrupted', finished_at = ?, updated_at = ?,
             error = 'The app stopped while this experiment was running. Resume continues from the last checkpoint.',
             error_code_json = '{"code":"interruptedByAppStop","params":{}}'
           WHERE status = 'running'`,
        )
        .run(now, now).changes
    },
  }
}

export type ExperimentRepository = ReturnType<typeof createExperimentRepository>
