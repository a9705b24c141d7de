/**
 * Nothing is lost when things die mid-run: a killed engine child fails its experiment with the reason and
 * keeps every metric row it reported; a killed app (the web host process, SIGKILL) leaves the experiment
 * 'running' on disk, the next launch marks it interrupted, and Resume finishes it from the last checkpoint.
 */
import path from 'node:path'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Contract } from '../../src-shared/contract'
import type { ExperimentEvent } from '../../src-shared/entities'
import { createApp } from '../../src-main/app'
import { openHistory } from '../../src-main/db'
import { startServe } from '../helpers/cli'
import { makeTempHome } from '../helpers/temp-home'

/** 16 training rows, batch 4: 4 steps an epoch; a checkpoint at every epoch's evaluation. */
const config = {
  llm_backbone: path.resolve('resources/demo-backbone'),
  dataset: { train_dataframe: path.resolve('resources/sample-data/instruction-sample.csv'), validation_size: 0.2 },
  tokenizer: { max_length_prompt: 16, max_length_answer: 16, max_length: 32 },
  training: { epochs: 6, batch_size: 4, learning_rate: 0.001, evaluation_epochs: 1 },
  prediction: { metric: 'Perplexity' },
  environment: { backend: 'wasm' },
}
const totalSteps = 24

const until = async (check: () => boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('crash recovery', () => {
  const homes: ReturnType<typeof makeTempHome>[] = []
  afterAll(() => homes.forEach((h) => h.cleanup()))

  it('a child killed mid-run: failed with the signal, and every reported metric row kept', async () => {
    const home = makeTempHome()
    homes.push(home)
    const app = createApp({ dataDir: home.dir, host: 'web', startEngine: false })
    const experiment = app.history.experiments.create({ name: 'child-killed', config, backbone: 'demo' })
    const announced: ExperimentEvent[] = []
    app.supervisor.on('event', (id, event) => {
      if (id !== experiment.id) return
      announced.push(event)
      if (event.type === 'metrics' && event.points.some((p) => p.name === 'train/loss' && p.step === 5)) app.supervisor.runOf(id)?.engine.child.kill('SIGKILL')
    })
    app.supervisor.start(experiment.id)
    await app.supervisor.idle()
    const final = app.history.experiments.get(experiment.id)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/^The engine process was killed by SIGKILL\./)
    const announcedPoints = announced.flatMap((e) => (e.type === 'metrics' ? e.points : []))
    const stored = app.history.metrics.list(experiment.id)
    expect(stored.length).toBe(announcedPoints.length)
    expect(stored.filter((p) => p.name === 'train/loss').map((p) => p.step)).toEqual([1, 2, 3, 4, 5])
    await app.close()
  })

  it('the app killed mid-run: the next launch marks it interrupted, and Resume finishes it', async () => {
    const home = makeTempHome()
    homes.push(home)
    const seed = openHistory(path.join(home.dir, 'studio.db'))
    const experiment = seed.experiments.create({ name: 'app-killed', config, backbone: 'demo' })
    const serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir })
    const url = new URL(serve.url)
    const socket = new WebSocket(`ws://${url.host}/api?token=${serve.token}`, { origin: serve.origin })
    const client = createORPCClient<ContractRouterClient<Contract>>(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }))
    await client.experiments.start({ id: experiment.id })
    // Past the first epoch's checkpoint (step 4), then the whole app dies at once.
    await until(() => seed.metrics.list(experiment.id, 'train/loss').length >= 6)
    serve.child.kill('SIGKILL')
    socket.terminate()
    await new Promise((r) => serve.child.once('exit', r))
    expect(seed.experiments.get(experiment.id)!.status).toBe('running')
    const lossesBefore = seed.metrics.list(experiment.id, 'train/loss').length
    seed.close()

    // The engine child noticed its host was gone and exited: the next launch owns the experiment.
    const app = createApp({ dataDir: home.dir, host: 'web', startEngine: false })
    const interrupted = app.history.experiments.get(experiment.id)!
    expect(interrupted.status).toBe('interrupted')
    expect(interrupted.error).toMatch(/Resume continues from the last checkpoint/)
    expect(interrupted.errorCode).toEqual({ code: 'interruptedByAppStop', params: {} })
    app.supervisor.resume(experiment.id)
    await app.supervisor.idle()
    expect(app.history.experiments.get(experiment.id)!.status).toBe('finished')
    const steps = app.history.metrics.list(experiment.id, 'train/loss').map((p) => p.step)
    expect(steps).toEqual(Array.from({ length: totalSteps }, (_, i) => i + 1))
    expect(lossesBefore).toBeGreaterThanOrEqual(6)
    expect(app.history.logs.list(experiment.id).map((l) => l.message).some((m) => m.startsWith('Resumed at batch'))).toBe(true)
    await app.close()
  })
})
