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

  it('trains the demo backbone in a real engine child and persists what it reported before announcing it', async () => {
    // A few steps on the bundled demo backbone and sample data: 16 training rows, batch 4, half an epoch
    // = 2 optimizer steps, then an evaluation (perplexity: no generation, quick on the cpu backend).
    const experiment = create('persisted', {
      llm_backbone: path.resolve('resources/demo-backbone'),
      dataset: { train_dataframe: path.resolve('resources/sample-data/instruction-sample.csv'), validation_size: 0.2 },
      tokenizer: { max_length_prompt: 24, max_length_answer: 24, max_length: 48 },
      training: { epochs: 0.5, batch_size: 4, learning_rate: 0.001 },
      prediction: { metric: 'Perplexity' },
      environment: { backend: 'cpu' },
    })
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
    expect(final.error).toBeNull()
    expect(final.status).toBe('finished')
    expect(final.backend).toBe('cpu')
    const logs = app.history.logs.list(experiment.id)
    expect(logs[0]!.message).toBe('Starting the engine.')
    expect(logs[1]!.message).toMatch(/^Engine ready: cpu on CPU \(plain JavaScript, slow\)\./)
    expect(logs.map((l) => l.message)).toContain('Phase: training (2 batches, 2 optimizer steps)')
    expect(logs.at(-1)!.message).toBe('Finished.')
    // The metrics rows are exactly what the child reported: train/* at steps 1 and 2, val/* at step 2.
    const rows = app.history.metrics.list(experiment.id)
    const announcedPoints = announced.flatMap((e) => (e.type === 'metrics' ? e.points : []))
    expect(rows).toEqual([...announcedPoints].sort((a, b) => (a.name === b.name ? a.step - b.step : a.name < b.name ? -1 : 1)))
    expect(rows.map((r) => `${r.name}@${r.step}`)).toEqual([
      'train/grad_norm@1', 'train/grad_norm@2', 'train/loss@1', 'train/loss@2', 'train/lr@1', 'train/lr@2',
      'train/tokens_per_s@1', 'train/tokens_per_s@2', 'val/Perplexity@2', 'val/loss@2',
    ])
    expect(rows.find((r) => r.name === 'train/loss')!.value).toBeGreaterThan(5) // ≈ ln 530 for a random model
    // Every announced log line was already in the database when it was announced.
    const announcedLogs = announced.filter((e) => e.type === 'log')
    expect(announcedLogs.map((e) => e.id)).toEqual(logs.map((l) => l.id))
    announced.forEach((event, i) => {
      if (event.type === 'log') expect(persistedAtAnnouncement[i]).toBe(logs.findIndex((l) => l.id === event.id) + 1)
    })
    expect(announced.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual(['running', 'finished'])
    expect(app.supervisor.listenerCount('event')).toBeGreaterThan(0)
    app.supervisor.removeAllListeners('event')
  })

  it('fails an experiment whose config is not valid, naming the field', async () => {
    const experiment = create('invalid', { training: { lora_r: 0 }, environment: { backend: 'cpu' } })
    app.supervisor.start(experiment.id)
    await app.supervisor.idle()
    const final = app.history.experiments.get(experiment.id)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/^The experiment's configuration is not valid: .*lora_r/)
    // …and with a code the UI translates, naming the field.
    expect(final.errorCode).toEqual({ code: 'configInvalid', params: { fields: expect.stringContaining('training.lora_r') } })
  })

  it('stops a training run at a step (checkpoint saved), then resumes it to the end with no metric row lost', async () => {
    const experiment = create('stop-and-resume', {
      llm_backbone: path.resolve('resources/demo-backbone'),
      dataset: { train_dataframe: path.resolve('resources/sample-data/instruction-sample.csv'), validation_size: 0.2 },
      tokenizer: { max_length_prompt: 16, max_length_answer: 16, max_length: 32 },
      training: { epochs: 10, batch_size: 4, learning_rate: 0.001, evaluation_epochs: 5 },
      prediction: { metric: 'Perplexity' },
      environment: { backend: 'wasm' },
    })
    let stopping: Promise<void> | null = null
    app.supervisor.on('event', (id, event) => {
      if (id === experiment.id && event.type === 'metrics' && !stopping && event.points.some((p) => p.name === 'train/loss' && p.step >= 3)) stopping = app.supervisor.stop(experiment.id)
    })
    app.supervisor.start(experiment.id)
    await app.supervisor.idle()
    await stopping
    app.supervisor.removeAllListeners('event')
    expect(app.history.experiments.get(experiment.id)!.status).toBe('stopped')
    const stoppedAt = app.history.metrics.list(experiment.id, 'train/loss').length
    expect(stoppedAt).toBeGreaterThanOrEqual(3)
    expect(stoppedAt).toBeLessThan(40)

    app.supervisor.resume(experiment.id)
    await app.supervisor.idle()
    expect(app.history.experiments.get(experiment.id)!.status).toBe('finished')
    expect(app.history.metrics.list(experiment.id, 'train/loss').map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const messages = app.history.logs.list(experiment.id).map((l) => l.message)
    expect(messages).toContain(`Resumed at batch ${stoppedAt} (optimizer step ${stoppedAt}) from ${path.join(app.layout.experiments, experiment.id, 'checkpoints', 'last')}.`)
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
    expect(final.errorCode).toEqual({ code: 'engineKilled', params: { signal: 'SIGKILL' } })
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
