/**
 * The API implementation: one handler per procedure of src-shared/contract.ts. Transports (MessagePort,
 * WebSocket) only carry it; they add nothing.
 */
import { on } from 'node:events'
import { implement } from '@orpc/server'
import { contract } from '../../src-shared/contract'
import type { EngineStatus } from '../../src-shared/entities'
import type { AppServices } from '../app'
import { guard } from './errors'

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
  })
}

export type AppRouter = ReturnType<typeof createRouter>
