/**
 * The one API between the renderer and the host (Electron main or the web host). Both transports —
 * a MessagePort in Electron, a WebSocket in the browser — serve a router that implements exactly this.
 * Streams are event iterators; the client passes an AbortSignal to stop one.
 */
import { eventIterator, oc } from '@orpc/contract'
import { z } from 'zod'
import { ColumnMapping, DatasetDetail, TokenLengthRequest, TokenLengthStats } from './datasets'
import { DownloadProgress, HubDatasetInfo, HubModelSummary } from './hub'
import { AppInfo, DatasetSummary, EngineStatus, ExperimentStatus, ExperimentSummary } from './entities'

export const contract = {
  system: {
    info: oc.output(AppInfo),
    /** The engine child's state now, then every change (starting → ready | failed). */
    engine: oc.output(eventIterator(EngineStatus)),
  },
  experiments: {
    list: oc
      .input(
        z
          .object({
            status: z.array(ExperimentStatus).optional(),
            search: z.string().max(200).optional(),
          })
          .optional(),
      )
      .output(z.array(ExperimentSummary)),
  },
  datasets: {
    list: oc.output(z.array(DatasetSummary)),
    /**
     * Import a data file: its bytes (a browser upload, base64; the WebSocket carries up to 64 MiB) or a path
     * on the host (Electron's file dialog, or typed into the web host). Errors name file, row and column.
     */
    importFile: oc
      .input(
        z.union([
          z.object({ name: z.string().min(1).max(255), contentBase64: z.string().max(64 * 1024 * 1024) }),
          z.object({ path: z.string().min(1), name: z.string().min(1).max(255).optional() }),
        ]),
      )
      .output(DatasetDetail),
    get: oc.input(z.object({ id: z.string() })).output(DatasetDetail),
    setColumns: oc.input(z.object({ id: z.string(), mapping: ColumnMapping })).output(DatasetDetail),
    delete: oc.input(z.object({ id: z.string() })).output(z.object({ deleted: z.boolean() })),
    /** Token lengths of the rows under the current mapping, with a backbone's tokenizer. */
    tokenLengths: oc.input(TokenLengthRequest).output(TokenLengthStats),
  },
  /** The Hugging Face Hub (token: HF_TOKEN in the host's environment; endpoint: HF_ENDPOINT). */
  hub: {
    modelSummary: oc.input(z.object({ id: z.string().min(3), revision: z.string().optional() })).output(HubModelSummary),
    /** Progress events while the files download into the Hugging Face cache; the last one has `dir`. */
    downloadModel: oc
      .input(z.object({ id: z.string().min(3), revision: z.string().optional() }))
      .output(eventIterator(z.object({ progress: DownloadProgress, dir: z.string().optional() }))),
    datasetInfo: oc.input(z.object({ id: z.string().min(3), revision: z.string().optional() })).output(HubDatasetInfo),
    /**
     * Download data files of a dataset repo (progress events), then import them; the last event has the dataset.
     * One file is imported as it is; several (the shards of a split) become one JSON Lines copy.
     */
    importDatasetFiles: oc
      .input(z.object({ id: z.string().min(3), paths: z.array(z.string().min(1)).min(1), revision: z.string().optional(), name: z.string().max(200).optional() }))
      .output(eventIterator(z.object({ progress: DownloadProgress, dataset: DatasetDetail.optional() }))),
    /** Where the token comes from (never the token itself), and whether this app can keep one. */
    tokenStatus: oc.output(z.object({ source: z.enum(['env', 'stored', 'none']), canStore: z.boolean() })),
    /** Keep a token (desktop app: encrypted with the OS keychain) or forget it (null). HF_TOKEN still wins. */
    setToken: oc
      .input(z.object({ token: z.string().max(400).nullable() }))
      .output(z.object({ source: z.enum(['env', 'stored', 'none']), canStore: z.boolean() })),
    /**
     * Push an exported adapter or merged model folder (on the host) to a model repo, creating it (private by
     * default) and adding a generated model card; per-file progress, then the commit URL. Needs a write token.
     */
    push: oc
      .input(
        z.object({
          folder: z.string().min(1),
          repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
          private: z.boolean().default(true),
          kind: z.enum(['adapter', 'merged']),
          baseModel: z.string().min(1),
          license: z.string().optional(),
          datasets: z.array(z.string()).optional(),
          settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
          metrics: z.record(z.string(), z.number()).optional(),
        }),
      )
      .output(eventIterator(z.object({ file: z.string(), progress: z.number(), url: z.string().optional() }))),
  },
}

export type Contract = typeof contract
