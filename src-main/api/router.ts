/**
 * The API implementation: one handler per procedure of src-shared/contract.ts. Transports (MessagePort,
 * WebSocket) only carry it; they add nothing.
 */
import { on } from 'node:events'
import { implement } from '@orpc/server'
import { contract } from '../../src-shared/contract'
import type { EngineStatus, ExperimentEvent, ExperimentSummary } from '../../src-shared/entities'
import { generationSettingsOf } from '../../src-shared/chat'
import type { AppServices } from '../app'
import { setupDemo } from '../demo'
import { deviceMemory } from '../engine/device-memory'
import { pushFolder } from '../hub/push'
import { experimentPushOptions } from '../hub/push-experiment'
import { importHubDataset, pushWithProgress, readLocalModelConfig, streamDownload } from '../hub/service'
import { createExperiment } from './create-experiment'
import { guard, guardStream, toApiError, UserError } from './errors'
import { artifactText, experimentArtifacts } from './experiment-artifacts'
import { cloneExperiment, deleteExperiment } from './experiment-files'
import { saveExportZip } from './save-export'
import { requireDialogs } from '../dialogs'

/** Iterate an emitter's events until the client aborts; an abort is the normal end, not an error. */
async function* untilAborted<T>(events: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* events
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error
  }
}

export function createRouter(app: AppServices) {
  const os = implement(contract).use(async ({ next }) => {
    try {
      return await next()
    } catch (error) {
      throw toApiError(error)
    }
  })
  const experiment = (id: string): ExperimentSummary => {
    const found = app.history.experiments.get(id)
    if (!found) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
    return found
  }
  return os.router({
    system: {
      info: os.system.info.handler(() => app.info),
      deviceMemory: os.system.deviceMemory.handler(() => deviceMemory(app.engine.status)),
      engine: os.system.engine.handler(async function* ({ signal }) {
        // Subscribe before reading the current value, so no change between the two is lost.
        const changes = on(app.engine, 'status', { signal })
        yield app.engine.status
        for await (const [status] of untilAborted(changes as AsyncIterable<[EngineStatus]>)) yield status
      }),
    },
    settings: {
      judgeEndpoint: os.settings.judgeEndpoint.handler(() => app.judge.status()),
      setJudgeEndpoint: os.settings.setJudgeEndpoint.handler(({ input }) =>
        guard(() => {
          if (input.apiKey !== undefined && !app.judge.status().canStoreKey) throw new UserError('This app cannot keep an API key; set OPENAI_API_KEY in the environment before starting it.', 'judgeKeyStoreUnavailable')
          return app.judge.set(input)
        }),
      ),
    },
    experiments: {
      list: os.experiments.list.handler(({ input }) => app.history.experiments.list(input ?? {})),
      get: os.experiments.get.handler(({ input }) => experiment(input.id)),
      create: os.experiments.create.handler(({ input }) => createExperiment(app, input)),
      metrics: os.experiments.metrics.handler(({ input }) => {
        experiment(input.id)
        return app.history.metrics.list(input.id)
      }),
      artifacts: os.experiments.artifacts.handler(({ input }) => experimentArtifacts(app, input.id)),
      saveExport: os.experiments.saveExport.handler(async function* ({ input, signal }) {
        yield* guardStream(saveExportZip(app, input.id, input.kind, signal))
      }),
      artifactText: os.experiments.artifactText.handler(({ input }) => artifactText(app, input.id, input.artifact)),
      config: os.experiments.config.handler(({ input }) => app.history.experiments.config(input.id)),
      start: os.experiments.start.handler(({ input }) => {
        app.supervisor.start(input.id)
        return experiment(input.id)
      }),
      resume: os.experiments.resume.handler(({ input }) => {
        app.supervisor.resume(input.id)
        return experiment(input.id)
      }),
      stop: os.experiments.stop.handler(async ({ input }) => {
        await app.supervisor.stop(input.id)
        return experiment(input.id)
      }),
      rename: os.experiments.rename.handler(({ input }) => {
        app.history.experiments.rename(input.id, input.name)
        return experiment(input.id)
      }),
      clone: os.experiments.clone.handler(({ input }) => cloneExperiment(app, input.id)),
      delete: os.experiments.delete.handler(({ input }) => {
        deleteExperiment(app, input.id)
        return { deleted: input.id }
      }),
      startDemo: os.experiments.startDemo.handler(({ input }) => setupDemo(app, input?.epochs)),
      updates: os.experiments.updates.handler(async function* ({ signal }) {
        const events = on(app.supervisor, 'event', { signal })
        for await (const [id, event] of untilAborted(events as AsyncIterable<[string, ExperimentEvent]>)) yield { id, event }
      }),
      watch: os.experiments.watch.handler(async function* ({ input, signal }) {
        // Subscribing and reading the history happen in one synchronous step, and the supervisor writes
        // each event before announcing it: so every event is in the snapshot or in the stream, never both.
        const events = on(app.supervisor, 'event', { signal })
        const snapshot = {
          type: 'snapshot' as const,
          experiment: experiment(input.id),
          metrics: app.history.metrics.list(input.id),
          logs: app.history.logs.list(input.id, 0, 100_000).map((line) => ({ ...line })),
        }
        yield snapshot
        for await (const [experimentId, event] of untilAborted(events as AsyncIterable<[string, ExperimentEvent]>)) {
          if (experimentId === input.id) yield event
        }
      }),
    },
    models: {
      localConfig: os.models.localConfig.handler(({ input }) => readLocalModelConfig(app.hub, input.backbone)),
    },
    chat: {
      create: os.chat.create.handler(({ input }) => {
        experiment(input.experimentId)
        return app.history.chats.create(input.experimentId, input.title)
      }),
      list: os.chat.list.handler(({ input }) => app.history.chats.list(input.experimentId)),
      messages: os.chat.messages.handler(({ input }) => app.history.chats.messages(input.chatId)),
      ask: os.chat.ask.handler(({ input }) => ({ turn: app.chat.ask(input.chatId, input.prompt) })),
      answer: os.chat.answer.handler(async function* ({ input, signal }) {
        yield* guardStream(app.chat.answer(input.chatId, input.turn, input.side, { overrides: input.settings ?? {}, promptFormat: input.promptFormat ?? 'training', signal }))
      }),
      settings: os.chat.settings.handler(({ input }) => generationSettingsOf(app.chat.configOf(input.experimentId))),
      models: os.chat.models.handler(({ input }) => guard(() => app.chat.models(input.experimentId))),
    },
    suite: {
      list: os.suite.list.handler(({ input }) => guard(() => app.suite.list(input.experimentId))),
      suggestions: os.suite.suggestions.handler(({ input }) => guard(() => app.suite.suggestions(input.experimentId))),
      add: os.suite.add.handler(({ input }) => guard(() => app.suite.add(input.experimentId, input.prompts))),
      remove: os.suite.remove.handler(({ input }) => guard(() => ({ deleted: app.history.suite.remove(input.id) }))),
      runAll: os.suite.runAll.handler(async function* ({ input, signal }) {
        yield* guardStream(app.suite.runAll(input.experimentId, { overrides: input.settings ?? {}, promptFormat: input.promptFormat ?? 'training', signal }))
      }),
    },
    datasets: {
      list: os.datasets.list.handler(() => app.history.datasets.list()),
      importFile: os.datasets.importFile.handler(({ input }) =>
        guard(() =>
          app.datasets.importFile('picked' in input ? { path: app.picked.take(input.picked) } : { name: input.name, bytes: Buffer.from(input.contentBase64, 'base64') }),
        ),
      ),
      pickFile: os.datasets.pickFile.handler(() =>
        guard(async () => {
          const file = await requireDialogs(app.dialogs).openDataFile()
          return file ? app.picked.remember(file) : null
        }),
      ),
      get: os.datasets.get.handler(({ input }) => guard(() => app.datasets.detail(input.id))),
      setColumns: os.datasets.setColumns.handler(({ input }) => guard(() => app.datasets.setColumns(input.id, input.mapping))),
      delete: os.datasets.delete.handler(({ input }) => guard(() => ({ deleted: app.datasets.delete(input.id) }))),
      tokenLengths: os.datasets.tokenLengths.handler(({ input }) => guard(() => app.datasets.tokenLengths(input))),
    },
    hub: {
      modelSummary: os.hub.modelSummary.handler(({ input }) => guard(() => app.hub.modelSummary(input.id, input.revision))),
      downloadModel: os.hub.downloadModel.handler(async function* ({ input, signal }) {
        try {
          const stream = streamDownload((onProgress, s) => app.hub.downloadModel(input.id, { revision: input.revision, onProgress, signal: s }), signal)
          let step = await stream.next()
          let last = step.done ? undefined : step.value
          while (!step.done) {
            last = step.value
            yield { progress: step.value }
            step = await stream.next()
          }
          const progress = last ?? { file: '', fileIndex: 0, fileCount: 0, bytes: 0, total: 0, bytesPerSecond: 0, etaSeconds: null }
          yield { progress, dir: step.value.dir }
        } catch (error) {
          throw toApiError(error)
        }
      }),
      datasetInfo: os.hub.datasetInfo.handler(({ input }) => guard(() => app.hub.datasetInfo(input.id, input.revision))),
      importDatasetFiles: os.hub.importDatasetFiles.handler(async function* ({ input, signal }) {
        try {
          yield* importHubDataset(app.hub, app.datasets, input, signal)
        } catch (error) {
          throw toApiError(error)
        }
      }),
      tokenStatus: os.hub.tokenStatus.handler(() => ({ source: app.tokens.source(), canStore: app.tokens.canStore() })),
      setToken: os.hub.setToken.handler(({ input }) =>
        guard(() => {
          if (!app.tokens.canStore()) throw new UserError('This app cannot keep a token; set HF_TOKEN in the environment before starting it.', 'tokenStoreUnavailable')
          const token = input.token?.trim() || null
          if (token !== null && !/^hf_\w{10,}$/.test(token)) throw new UserError('A Hugging Face token starts with hf_; copy it again from your Hugging Face settings.', 'tokenFormat')
          app.tokens.set(token)
          return { source: app.tokens.source(), canStore: app.tokens.canStore() }
        }),
      ),
      push: os.hub.push.handler(async function* ({ input }) {
        try {
          const options = experimentPushOptions(app, input)
          yield* pushWithProgress((onProgress) => pushFolder(app.hub, { ...options, onProgress }))
        } catch (error) {
          throw toApiError(error)
        }
      }),
    },
  })
}

export type AppRouter = ReturnType<typeof createRouter>
