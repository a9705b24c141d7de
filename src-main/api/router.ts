/**
 * The API implementation: one handler per procedure of src-shared/contract.ts. Transports (MessagePort,
 * WebSocket) only carry it; they add nothing.
 */
import { on } from 'node:events'
import { implement } from '@orpc/server'
import { contract } from '../../src-shared/contract'
import type { EngineStatus } from '../../src-shared/entities'
import type { AppServices } from '../app'
import { pushFolder } from '../hub/push'
import { importHubDataset, pushWithProgress, streamDownload } from '../hub/service'
import { guard, toApiError, UserError } from './errors'

export function createRouter(app: AppServices) {
  const os = implement(contract)
  return os.router({
    system: {
      info: os.system.info.handler(() => app.info),
      engine: os.system.engine.handler(async function* ({ signal }) {
        // Subscribe before reading the current value, so no change between the two is lost.
        const changes = on(app.engine, 'status', { signal })
        yield app.engine.status
        try {
          for await (const [status] of changes as AsyncIterable<[EngineStatus]>) yield status
        } catch (error) {
          if (!(error instanceof Error && error.name === 'AbortError')) throw error
        }
      }),
    },
    experiments: {
      list: os.experiments.list.handler(({ input }) => app.history.experiments.list(input ?? {})),
    },
    datasets: {
      list: os.datasets.list.handler(() => app.history.datasets.list()),
      importFile: os.datasets.importFile.handler(({ input }) =>
        guard(() =>
          app.datasets.importFile('path' in input ? input : { name: input.name, bytes: Buffer.from(input.contentBase64, 'base64') }),
        ),
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
          const { folder, repo, private: isPrivate, ...card } = input
          yield* pushWithProgress((onProgress) => pushFolder(app.hub, { folder, repo, private: isPrivate, card, onProgress }))
        } catch (error) {
          throw toApiError(error)
        }
      }),
    },
  })
}

export type AppRouter = ReturnType<typeof createRouter>
