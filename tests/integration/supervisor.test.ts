/**
 * The experiment supervisor with real engine children: queue, persistence of every event before it is
 * announced, crash handling, stop, and the watch stream's snapshot-then-live contract.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppServices } from '../../src-main/app'
import type { ExperimentEvent } from '../../src-shared/entities'
import { makeTempHome } from '../helpers/temp-home'

describe('experiment supervisor', () => {
  const home = makeTempHome()
  let app: AppServices

  beforeAll(() => {
    app = createApp({ dataDir: home.dir, host: 'web', startEngine: false })
  })
  afterAll(async () => {
    await app.close()
    home.cleanup()
  })

  const create = (name: string, config: unknown = { environment: { backend: 'cpu' } }) =>
    app.history.experiments.create({ name, config, backbone: 'demo/tiny' })

  it('runs an experiment in a real engine child and persists what it reported before announcing it', async () => {
    const experiment = create('persisted')
    const announced: ExperimentEvent[] = []
    const persistedAtAnnouncement: number[] = []
    app.supervisor.on('event', (id, event) => {
      if (id !== experiment.id) return
      announced.push(event)
      persistedAtAnnouncement.push(app.history.logs.list(id).length)
    })
    app.supervisor.start(experiment.id)
    expect(app.supervisor.isRunning(experiment.id)).toBe(true)
    await app.supervisor.idle()

    const final = app.history.experiments.get(experiment.id)!
    // Training itself is not built yet: the engine child says so, and the experiment fails with that message.
    expect(final.status).toBe('failed')
    expect(final.error).toBe('Training is not built into this version yet: experiments can be saved but not run.')
    expect(final.backend).toBe('cpu')
    const logs = app.history.logs.list(experiment.id)
    expect(logs.map((l) => l.message)).toEqual([
      'Starting the engine.',
      expect.stringMatching(/^Engine ready: cpu on CPU \(plain JavaScript, slow\)\./),
      final.error,
    ])
    // Every announced log line was already in the database when it was announced.
    const announcedLogs = announced.filter((e) => e.type === 'log')
    expect(announcedLogs.map((e) => e.id)).toEqual(logs.map((l) => l.id))
    announced.forEach((event, i) => {
      if (event.type === 'log') expect(persistedAtAnnouncement[i]).toBe(logs.findIndex((l) => l.id === event.id) + 1)
    })
    expect(announced.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual(['running', 'failed'])
    expect(app.supervisor.listenerCount('event')).toBeGreaterThan(0)
    app.supervisor.removeAllListeners('event')
  })

  it('runs one experiment at a time: the second waits in the queue', async () => {
    const first = create('first')
    const second = create('second')
    app.supervisor.start(first.id)
    app.supervisor.start(second.id)
    expect(app.supervisor.isRunning(first.id)).toBe(true)
    expect(app.supervisor.isRunning(second.id)).toBe(false)
    expect(app.history.experiments.get(second.id)!.status).toBe('queued')
    expect(() => app.supervisor.start(second.id)).toThrow('"second" is already waiting in the queue.')
    await app.supervisor.idle()
    expect(app.history.experiments.get(second.id)!.startedAt).toBeGreaterThanOrEqual(app.history.experiments.get(first.id)!.finishedAt!)
  })

  it('stops a queued experiment without starting it', async () => {
    const running = create('occupies-the-engine')
    const waiting = create('waits')
    app.supervisor.start(running.id)
    app.supervisor.start(waiting.id)
    await app.supervisor.stop(waiting.id)
    expect(app.history.experiments.get(waiting.id)).toMatchObject({ status: 'stopped', startedAt: null })
    await app.supervisor.idle()
  })

  it('marks an experiment whose engine child is killed as failed, with the signal, and loses no rows', async () => {
    const experiment = create('killed')
    app.supervisor.start(experiment.id)
    const run = app.supervisor.runOf(experiment.id)!
    run.engine.child.kill('SIGKILL')
    expect(await run.finished).toBe('failed')
    const final = app.history.experiments.get(experiment.id)!
    expect(final.error).toMatch(/^The engine process was killed by SIGKILL\./)
    const messages = app.history.logs.list(experiment.id).map((l) => l.message)
    expect(messages[0]).toBe('Starting the engine.')
    expect(messages.at(-1)).toBe(final.error)
  })

  it('refuses to resume what has nothing to resume, and resumes an interrupted run', async () => {
    const fresh = create('fresh')
    expect(() => app.supervisor.resume(fresh.id)).toThrow('"fresh" is queued; it can be resumed only when interrupted, stopped, failed.')
    const orphan = create('orphan')
    app.history.experiments.setStatus(orphan.id, 'running')
    // A new launch of the app finds it still 'running': its engine died with the old launch.
    const relaunched = createApp({ dataDir: home.dir, host: 'web', startEngine: false })
    expect(relaunched.history.experiments.get(orphan.id)!.status).toBe('interrupted')
    relaunched.supervisor.resume(orphan.id)
    await relaunched.supervisor.idle()
    expect(relaunched.history.logs.list(orphan.id)[0]!.message).toBe('Resuming from the last checkpoint.')
    await relaunched.close()
    expect(path.basename(relaunched.layout.database)).toBe('studio.db')
  })
})
