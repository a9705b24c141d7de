/**
 * The one API between the renderer and the host (Electron main or the web host). Both transports —
 * a MessagePort in Electron, a WebSocket in the browser — serve a router that implements exactly this.
 * Streams are event iterators; the client passes an AbortSignal to stop one.
 */
import { eventIterator, oc } from '@orpc/contract'
import { z } from 'zod'
import { ChatChunk, ChatSide } from './chat'
import { ConfigSchema } from './config'
import { GenerationSettings } from './inference-protocol'
import { ColumnMapping, DatasetDetail, TokenLengthRequest, TokenLengthStats } from './datasets'
import { DownloadProgress, HubDatasetInfo, HubModelSummary } from './hub'
import { JudgeEndpointInput, JudgeEndpointStatus } from './settings'
import { AppInfo, ChatMessage, ChatSummary, DatasetSummary, EngineStatus, ExperimentArtifacts, ExperimentEvent, ExperimentSnapshot, ExperimentStatus, ExperimentSummary, MetricPoint } from './entities'

const ExperimentId = z.object({ id: z.string().min(1) })

export const contract = {
  system: {
    info: oc.output(AppInfo),
    /** The engine child's state now, then every change (starting → ready | failed). */
    engine: oc.output(eventIterator(EngineStatus)),
  },
  settings: {
    /** The "OpenAI API" metric's endpoint: base URL, model, and where the key comes from (never the key). */
    judgeEndpoint: oc.output(JudgeEndpointStatus),
    /** Desktop app: the key is kept encrypted with the OS keychain; the web host reads OPENAI_API_KEY only. */
    setJudgeEndpoint: oc.input(JudgeEndpointInput).output(JudgeEndpointStatus),
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
    get: oc.input(ExperimentId).output(ExperimentSummary),
    /**
     * Save a new experiment, queued, from a Config (validated here with the same schema and checks as the
     * form). Blocking issues fail with BAD_REQUEST; their ConfigIssue list is the error's data.
     */
    create: oc.input(ConfigSchema).output(ExperimentSummary),
    /** Every metric point the experiment logged, in step order per name. */
    metrics: oc.input(ExperimentId).output(z.array(MetricPoint)),
    /** Predictions, exported folders and where they are. */
    artifacts: oc.input(ExperimentId).output(ExperimentArtifacts),
    /** A small artifact's text (predictions.csv, the logs, cfg.yaml) to download from the page. */
    artifactText: oc.input(z.object({ id: z.string().min(1), artifact: z.enum(['predictions', 'logs', 'config']) })).output(z.string()),
    /** The experiment's Config as it was saved. */
    config: oc.input(ExperimentId).output(z.unknown()),
    /** Queue to run from the start (queued, failed, stopped or interrupted experiments). */
    start: oc.input(ExperimentId).output(ExperimentSummary),
    /** Queue to continue from the last checkpoint (interrupted, stopped or failed experiments). */
    resume: oc.input(ExperimentId).output(ExperimentSummary),
    /** Stop: asks the engine, then SIGTERM, then SIGKILL. Resolves when it has stopped. */
    stop: oc.input(ExperimentId).output(ExperimentSummary),
    rename: oc.input(z.object({ id: z.string().min(1), name: z.string().trim().min(1).max(200) })).output(ExperimentSummary),
    /** A new queued experiment with the same config (and a free name). */
    clone: oc.input(ExperimentId).output(ExperimentSummary),
    /** Deletes the experiment, its history and its folder (checkpoints, adapter, logs). Not while it runs. */
    delete: oc.input(ExperimentId).output(z.object({ deleted: z.string() })),
    /** The offline demo: import the sample data (once), create an experiment on the demo backbone, start it. */
    startDemo: oc.input(z.object({ epochs: z.number().int().min(1).max(200).optional() }).optional()).output(ExperimentSummary),
    /** Every experiment's live events, for lists that show status and progress. */
    updates: oc.output(eventIterator(z.object({ id: z.string(), event: ExperimentEvent }))),
    /** The experiment's history from the database, then its live events: no gap, no duplicate. */
    watch: oc.input(ExperimentId).output(eventIterator(z.union([ExperimentSnapshot, ExperimentEvent]))),
  },
  chat: {
    /** A new conversation with an experiment's model. */
    create: oc.input(z.object({ experimentId: z.string().min(1), title: z.string().max(200) })).output(ChatSummary),
    list: oc.input(z.object({ experimentId: z.string().optional() })).output(z.array(ChatSummary)),
    messages: oc.input(z.object({ chatId: z.string() })).output(z.array(ChatMessage)),
    /** Save the user's prompt as the chat's next turn. */
    ask: oc.input(z.object({ chatId: z.string(), prompt: z.string().min(1).max(100_000) })).output(z.object({ turn: z.number().int() })),
    /** Stream one side's answer to a turn (before: the backbone; after: with the fine-tuned adapter). */
    answer: oc
      .input(z.object({ chatId: z.string(), turn: z.number().int().nonnegative(), side: ChatSide, settings: GenerationSettings.partial().optional() }))
      .output(eventIterator(ChatChunk)),
    /** The generation settings an experiment's prediction section gives a chat (the drawer starts here). */
    settings: oc.input(z.object({ experimentId: z.string() })).output(GenerationSettings),
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
  models: {
    /** config.json of a backbone that is on this computer (a folder, the demo, or a downloaded Hub model), else null. */
    localConfig: oc.input(z.object({ backbone: z.string() })).output(z.record(z.string(), z.unknown()).nullable()),
  },
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
