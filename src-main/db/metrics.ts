/** Metric rows (one per experiment, name and step) and log lines. Appends are batched in one transaction. */
import type { LogLevel, MetricPoint } from '../../src-shared/entities'
import type { SqliteDatabase } from './database'

export interface LogLine {
  id: number
  time: number
  level: LogLevel
  message: string
}

export function createMetricRepository(db: SqliteDatabase) {
  // A resumed run re-logs the steps after its checkpoint: the newer value replaces the older one.
  const upsert = db.prepare(`
    INSERT INTO metrics (experiment_id, step, epoch, name, value, time) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (experiment_id, name, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value, time = excluded.time`)
  const appendMany = db.transaction((experimentId: string, points: MetricPoint[]) => {
    for (const p of points) upsert.run(experimentId, p.step, p.epoch, p.name, p.value, p.time)
  })
  return {
    append(experimentId: string, points: MetricPoint[]): void {
      appendMany(experimentId, points)
    },
    list(experimentId: string, name?: string): MetricPoint[] {
      const sql = `SELECT step, epoch, name, value, time FROM metrics WHERE experiment_id = ? ${name ? 'AND name = ?' : ''} ORDER BY name, step`
      return db.prepare(sql).all(...(name ? [experimentId, name] : [experimentId])) as MetricPoint[]
    },
  }
}

export function createLogRepository(db: SqliteDatabase) {
  const insert = db.prepare('INSERT INTO logs (experiment_id, time, level, message) VALUES (?, ?, ?, ?)')
  return {
    append(experimentId: string | null, level: LogLevel, message: string, time = Date.now()): number {
      return Number(insert.run(experimentId, time, level, message).lastInsertRowid)
    },
    /** Lines after `afterId`, oldest first: a follower asks again with the last id it saw. */
    list(experimentId: string | null, afterId = 0, limit = 1000): LogLine[] {
      const sql = `SELECT id, time, level, message FROM logs WHERE experiment_id ${experimentId === null ? 'IS NULL' : '= ?'} AND id > ? ORDER BY id LIMIT ?`
      const params = experimentId === null ? [afterId, limit] : [experimentId, afterId, limit]
      return db.prepare(sql).all(...params) as LogLine[]
    },
  }
}

export type MetricRepository = ReturnType<typeof createMetricRepository>
export type LogRepository = ReturnType<typeof createLogRepository>
