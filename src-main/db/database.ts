/**
 * Opening the history database: one SQLite file in WAL mode (readers never block the writer, and a crash
 * mid-write loses at most the transaction in flight), foreign keys on, migrations applied in order.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { packageRoot } from '../package-root'
import { migrations as allMigrations, type Migration } from './migrations'

export type SqliteDatabase = Database.Database

/** Under Electron, better-sqlite3 must be the copy built for Electron's ABI (scripts/electron-native.mjs). */
function electronNativeBinding(): string | undefined {
  if (!process.versions.electron) return undefined
  const candidate = path.join(packageRoot(), '.electron-native', 'better_sqlite3.node')
  return fs.existsSync(candidate) ? candidate : undefined
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = allMigrations): number[] {
  const applied: number[] = []
  const current = schemaVersion(db)
  const newest = migrations.at(-1)?.version ?? 0
  if (current > newest) {
    throw new Error(
      `The history database was written by a newer Finetune Studio (schema ${current}, this version knows up to ${newest}). Update the app; your data is untouched.`,
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
    })()
    applied.push(migration.version)
  }
  return applied
}

export function openDatabase(file: string, migrations: readonly Migration[] = allMigrations): SqliteDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const nativeBinding = electronNativeBinding()
  const db = new Database(file, nativeBinding ? { nativeBinding } : {})
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, migrations)
  return db
}
