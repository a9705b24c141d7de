/**
 * Chat with an experiment while it trains: the after pane answers with the latest saved checkpoint (a real
 * training child saving one per evaluation), labelled with its step and epoch, reloaded when a newer one is
 * saved; before the first checkpoint and when memory is short, a clear reason instead.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppServices } from '../../src-main/app'
import { createExperiment } from '../../src-main/api/create-experiment'
import { demoConfig, SAMPLE_DATASET } from '../../src-main/demo'
import { generateFromModel, generateOptionsOf, loadModel, loadTokenizer, startInProcessEngine } from '../../src-engine/inference'
import { conversationIds } from '../../src-engine/training/conversation'
import { exportPeftAdapter } from '../../src-engine/training/export-adapter'
import { parseTargetModules } from '../../src-engine/training/trainable'
import { generationSettingsOf, type ChatChunk } from '../../src-shared/chat'
import { ConfigSchema, type Config } from '../../src-shared/config'
import { BACKEND_ENV } from '../../src-shared/engine-protocol'
import type { ExperimentEvent } from '../../src-shared/entities'
import { DEMO_BACKBONE_DIR } from '../helpers/templated-backbone'
import { makeTempHome } from '../helpers/temp-home'

const PROMPT = 'Name three primary colors.'

describe('chat with the latest checkpoint while training runs', () => {
  const home = makeTempHome()
  let app: AppServices
  let free = os.freemem()
  let experimentId: string
  let config: Config
  const checkpointSteps: number[] = []
  const savedEvaluations = /^Saved the evaluation checkpoint at step (\d+)/

  const nextCheckpoint = (after: number) =>
    new Promise<number>((resolve) => {
      const onEvent = (id: string, event: ExperimentEvent) => {
        const match = id === experimentId && event.type === 'log' ? savedEvaluations.exec(event.message) : null
        if (match && Number(match[1]) > after) {
          app.supervisor.off('event', onEvent)
          resolve(Number(match[1]))
        }
      }
      app.supervisor.on('event', onEvent)
    })

  const answerAfter = async () => {
    const chat = app.history.chats.create(experimentId, 'while training')
    const turn = app.chat.ask(chat.id, PROMPT)
    const chunks: ChatChunk[] = []
    for await (const chunk of app.chat.answer(chat.id, turn, 'after')) chunks.push(chunk)
    const loading = chunks.find((c) => c.type === 'loading')
    const finished = chunks.at(-1) as Extract<ChatChunk, { type: 'finished' }>
    return { loadedStep: loading?.type === 'loading' ? Number(/\(step (\d+)\)/.exec(loading.description)?.[1]) : null, answer: finished.answer }
  }

  beforeAll(async () => {
    // The test generates in-process on the same backend as the inference child, so answers compare exactly.
    process.env[BACKEND_ENV] = 'wasm'
    app = createApp({ dataDir: home.dir, host: 'web', startEngine: false, freeMemory: () => free })
    const dataset = await app.datasets.importFile({ path: path.resolve(SAMPLE_DATASET) })
    const base = demoConfig(dataset.summary.id, 40)
    config = ConfigSchema.parse({ ...base, training: { ...base.training, save_checkpoint: 'each_evaluation', evaluation_epochs: 2 } })
    experimentId = createExperiment(app, config).id
  })

  afterAll(async () => {
    if (app?.supervisor.isRunning(experimentId)) await app.supervisor.stop(experimentId)
    await app?.close()
    delete process.env[BACKEND_ENV]
    home.cleanup()
  })

  it('says there is no checkpoint yet, then answers with the newest one, as its weights answer', async () => {
    const first = nextCheckpoint(0)
    app.supervisor.start(experimentId)
    expect(app.history.experiments.get(experimentId)!.status).toBe('running')
    expect(app.chat.models(experimentId).after).toMatchObject({ source: 'none', problem: 'noCheckpointYet' })
    await expect(answerAfter()).rejects.toThrow(/has not saved a checkpoint yet/)

    checkpointSteps.push(await first)
    const { loadedStep, answer } = await answerAfter()
    expect(loadedStep).not.toBeNull()
    expect(loadedStep).toBeGreaterThanOrEqual(checkpointSteps[0]!)
    expect(app.history.experiments.get(experimentId)!.status).toBe('running')
    const models = app.chat.models(experimentId)
    expect(models.after.source).toBe('checkpoint')
    expect(models.after.step).toBeGreaterThanOrEqual(loadedStep!)
    expect(models.after.epoch).toBeGreaterThan(0)

    // The checkpoint's weights, exported and run here on their own, give the same answer.
    const adapterDir = path.join(home.dir, 'checkpoint-adapter')
    const t = config.training
    exportPeftAdapter(path.join(home.dir, 'experiments', experimentId, 'checkpoints', `step-${loadedStep}`), adapterDir, {
      baseModel: config.llm_backbone,
      modelType: 'gpt2',
      r: t.lora_r,
      alpha: t.lora_alpha,
      dropout: t.lora_dropout,
      useRslora: t.use_rslora,
      targets: parseTargetModules(t.lora_target_modules),
    })
    await startInProcessEngine('wasm')
    const tokenizer = await loadTokenizer(DEMO_BACKBONE_DIR)
    const model = loadModel(DEMO_BACKBONE_DIR, { adapterDir })
    try {
      const expected = await generateFromModel(model, tokenizer, { ids: conversationIds(tokenizer, config, [], PROMPT), options: generateOptionsOf(generationSettingsOf(config)) })
      expect(answer).toBe(expected.text)
    } finally {
      model.model.dispose()
    }
    fs.rmSync(adapterDir, { recursive: true })
  }, 600_000)

  it('loads a newer checkpoint once it is saved', async () => {
    const { loadedStep: before } = await answerAfter()
    const newer = await nextCheckpoint(before!)
    const { loadedStep } = await answerAfter()
    expect(loadedStep).toBeGreaterThanOrEqual(newer)
  }, 600_000)

  it('explains that memory is short instead of loading the checkpoint', async () => {
    free = 1024 * 1024
    const after = app.chat.models(experimentId).after
    expect(after).toMatchObject({ source: 'checkpoint', problem: 'lowMemory', freeBytes: 1024 * 1024 })
    expect(after.neededBytes).toBeGreaterThan(1024 * 1024)
    await expect(answerAfter()).rejects.toThrow(/needs about [\d.]+ GB of memory, but only 0\.00 GB is free while training runs: wait until training finishes/)
    free = os.freemem()
  })
})
