/** The history store on a real SQLite file: migrations, WAL, repositories, crash-left rows. */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openHistory } from '../../../src-main/db'
import { migrate, openDatabase, schemaVersion } from '../../../src-main/db/database'
import { migrations } from '../../../src-main/db/migrations'
import { makeTempHome } from '../../helpers/temp-home'

const homes: ReturnType<typeof makeTempHome>[] = []
function tempDb(): string {
  const home = makeTempHome()
  homes.push(home)
  return path.join(home.dir, 'nested', 'studio.db')
}
afterEach(() => homes.splice(0).forEach((h) => h.cleanup()))

describe('migrations', () => {
  it('creates every table on a fresh file, in WAL mode, at the newest version', () => {
    const file = tempDb()
    const db = openDatabase(file)
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name)
    expect(tables).toEqual(expect.arrayContaining(['datasets', 'experiments', 'metrics', 'logs', 'chats', 'chat_messages']))
    db.close()
    expect(fs.existsSync(file)).toBe(true)
  })

  it('applies nothing twice when the file is reopened, and keeps the rows', () => {
    const file = tempDb()
    const first = openHistory(file)
    first.experiments.create({ name: 'kept', config: { a: 1 }, backbone: 'b' })
    first.close()
    const db = new Database(file)
    expect(migrate(db)).toEqual([])
    db.close()
    const second = openHistory(file)
    expect(second.experiments.list().map((e) => e.name)).toEqual(['kept'])
    second.close()
  })

  it('upgrades an older database step by step and refuses one from a newer app', () => {
    const file = tempDb()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const db = new Database(file)
    const extra = { version: migrations.length + 1, name: 'test column', sql: 'ALTER TABLE experiments ADD COLUMN note TEXT' }
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.version))
    expect(migrate(db, [...migrations, extra])).toEqual([extra.version])
    expect(schemaVersion(db)).toBe(extra.version)
    expect(() => migrate(db, migrations)).toThrow(/newer Finetune Studio \(schema \d+, this version knows up to \d+\)/)
    db.close()
  })

  it('rolls a failing migration back entirely', () => {
    const db = new Database(':memory:')
    const broken = { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table' }
    expect(() => migrate(db, [...migrations, broken])).toThrow(/no_such_table/)
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 })
    db.close()
  })
})

describe('repositories', () => {
  it('creates, lists, searches and filters experiments, newest first, with their dataset', () => {
    const history = openHistory(tempDb())
    const dataset = history.datasets.create({ name: 'sample.csv', source: 'file:x', path: '/x', format: 'csv', rows: 3, columns: ['instruction', 'output'] })
    const a = history.experiments.create({ name: 'alpha_50%', config: { lr: 1 }, backbone: 'org/gpt2', datasetId: dataset.id })
    const b = history.experiments.create({ name: 'beta', config: {}, backbone: 'org/llama' })
    expect(history.experiments.list().map((e) => e.name)).toEqual(['beta', 'alpha_50%'])
    expect(history.experiments.get(a.id)?.datasetName).toBe('sample.csv')
    expect(history.experiments.list({ search: 'llama' }).map((e) => e.id)).toEqual([b.id])
    // LIKE wildcards in the search are literal characters.
    expect(history.experiments.list({ search: '50%' }).map((e) => e.id)).toEqual([a.id])
    expect(history.experiments.list({ search: '_' }).map((e) => e.id)).toEqual([a.id])
    history.experiments.setStatus(b.id, 'running')
    expect(history.experiments.list({ status: ['running'] }).map((e) => e.id)).toEqual([b.id])
    expect(history.experiments.config(a.id)).toEqual({ lr: 1 })
    history.close()
  })

  it('refuses a duplicate experiment name with a message that says what to do', () => {
    const history = openHistory(tempDb())
    history.experiments.create({ name: 'same', config: {}, backbone: 'b' })
    expect(() => history.experiments.create({ name: 'same', config: {}, backbone: 'b' })).toThrow(
      'An experiment named "same" already exists. Choose another experiment_name.',
    )
    history.close()
  })

  it('stamps start and finish times and marks runs left behind by a crash as interrupted', () => {
    const history = openHistory(tempDb())
    const e = history.experiments.create({ name: 'run', config: {}, backbone: 'b' })
    history.experiments.setStatus(e.id, 'running')
    const running = history.experiments.get(e.id)!
    expect(running.startedAt).not.toBeNull()
    expect(running.finishedAt).toBeNull()
    expect(history.experiments.markOrphansInterrupted()).toBe(1)
    const interrupted = history.experiments.get(e.id)!
    expect(interrupted.status).toBe('interrupted')
    expect(interrupted.error).toMatch(/Resume continues from the last checkpoint/)
    expect(interrupted.finishedAt).not.toBeNull()
    expect(() => history.experiments.setStatus('exp_missing', 'failed')).toThrow('No experiment with id exp_missing.')
    history.close()
  })

  it('keeps one metric value per step (a resumed run overwrites), and follows logs by id', () => {
    const history = openHistory(tempDb())
    const e = history.experiments.create({ name: 'm', config: {}, backbone: 'b' })
    history.metrics.append(e.id, [
      { step: 1, epoch: 0.1, name: 'train/loss', value: 3, time: 1 },
      { step: 2, epoch: 0.2, name: 'train/loss', value: 2.5, time: 2 },
    ])
    history.metrics.append(e.id, [{ step: 2, epoch: 0.2, name: 'train/loss', value: 2.4, time: 3 }])
    expect(history.metrics.list(e.id, 'train/loss').map((p) => p.value)).toEqual([3, 2.4])
    const first = history.logs.append(e.id, 'info', 'loading model')
    history.logs.append(e.id, 'warn', 'padding_quantile cut 3 rows')
    expect(history.logs.list(e.id, first).map((l) => l.message)).toEqual(['padding_quantile cut 3 rows'])
    history.close()
  })

  it('stores chat transcripts turn by turn and removes them with a deleted experiment', () => {
    const history = openHistory(tempDb())
    const e = history.experiments.create({ name: 'c', config: {}, backbone: 'b' })
    const chat = history.chats.create(e.id, 'first chat')
    history.chats.addMessage(chat.id, 0, 'user', 'こんにちは')
    history.chats.addMessage(chat.id, 0, 'before', 'Hello?')
    history.chats.addMessage(chat.id, 0, 'after', 'こんにちは!')
    expect(history.chats.messages(chat.id).map((m) => `${m.side}:${m.content}`)).toEqual(['user:こんにちは', 'before:Hello?', 'after:こんにちは!'])
    expect(history.chats.list(e.id).map((c) => c.title)).toEqual(['first chat'])
    history.db.prepare('DELETE FROM experiments WHERE id = ?').run(e.id)
    expect(history.chats.list()[0]?.experimentId).toBeNull()
    history.close()
  })
})
