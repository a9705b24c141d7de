/**
 * The one API between the renderer and the host (Electron main or the web host). Both transports —
 * a MessagePort in Electron, a WebSocket in the browser — serve a router that implements exactly this.
 * Streams are event iterators; the client passes an AbortSignal to stop one.
 */
import { eventIterator, oc } from '@orpc/contract'
import { z } from 'zod'
import { ChatChunk, ChatModels, ChatSide } from './chat'
import { ConfigSchema } from './config'
import { GenerationSettings, PromptFormat } from './inference-protocol'
import { NewSuitePrompt, SuiteProgress, SuitePrompt } from './prompt-suite'
import { ColumnMapping, DatasetDetail, TokenLengthRequest, TokenLengthStats } from './datasets'
import { DownloadProgress, HubDatasetInfo, HubModelSummary } from './hub'
import { JudgeEndpointInput, JudgeEndpointStatus } from './settings'
import { AppInfo, ChatMessage, DeviceMemory, ChatSummary, DatasetSummary, EngineStatus, ExperimentArtifacts, ExperimentEvent, ExperimentSnapshot, ExperimentStatus, ExperimentSummary, MetricPoint } from './entities'

const ExperimentId = z.object({ id: z.string().min(1) })

export const contract = {
  system: {
    info: oc.output(AppInfo),
    /** The engine child's state now, then every change (starting → ready | failed). */
    engine: oc.output(eventIterator(EngineStatus)),
    /** Memory on the engine's device, for the memory-fit check before launch (unknown until the engine is ready). */
    deviceMemory: oc.output(DeviceMemory),
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
    /**
     * Desktop app: save the exported adapter or merged model as a ZIP through the native save dialog, with
     * byte progress; the last event says where. No events: the user cancelled. (The web host serves the same
     * ZIP at exportDownloadPath instead.)
     */
    saveExport: oc
      .input(z.object({ id: z.string().min(1), kind: z.enum(['adapter', 'merged']) }))
      .output(eventIterator(z.object({ bytes: z.number(), total: z.number(), saved: z.string().optional() }))),
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
      .input(
        z.object({
          chatId: z.string(),
          turn: z.number().int().nonnegative(),
          side: ChatSide,
          settings: GenerationSettings.partial().optional(),
          promptFormat: PromptFormat.optional(),
        }),
      )
      .output(eventIterator(ChatChunk)),
    /** The generation settings an experiment's prediction section gives a chat (the drawer starts here). */
    settings: oc.input(z.object({ experimentId: z.string() })).output(GenerationSettings),
    /** Whether the backbone has a chat template, and what the after pane answers with (adapter, checkpoint, or why not). */
    models: oc.input(z.object({ experimentId: z.string() })).output(ChatModels),
  },
  /** Prompts saved per experiment, run on before and after and scored against their expected answers. */
  suite: {
    list: oc.input(z.object({ experimentId: z.string() })).output(z.array(SuitePrompt)),
    /** The experiment's validation samples (prompt + expected answer) not in its suite yet. */
    suggestions: oc.input(z.object({ experimentId: z.string() })).output(z.array(NewSuitePrompt)),
    add: oc.input(z.object({ experimentId: z.string(), prompts: z.array(NewSuitePrompt).min(1).max(1000) })).output(z.array(SuitePrompt)),
    remove: oc.input(z.object({ id: z.number().int() })).output(z.object({ deleted: z.boolean() })),
    /** Every prompt on before and after: progress with ETA, each finished pair with its scores (saved). */
    runAll: oc
      .input(z.object({ experimentId: z.string(), settings: GenerationSettings.partial().optional(), promptFormat: PromptFormat.optional() }))
      .output(eventIterator(SuiteProgress)),
  },
  datasets: {
    list: oc.output(z.array(DatasetSummary)),
    /**
     * Import a data file: its bytes (a browser upload, base64; the WebSocket carries up to 64 MiB) or a file
     * the user picked in the desktop app's dialog (pickFile's one-use token: the renderer never names a host
     * path). Errors name file, row and column.
     */
    importFile: oc
      .input(
        z.union([
          z.object({ name: z.string().min(1).max(255), contentBase64: z.string().max(64 * 1024 * 1024) }),
          z.object({ picked: z.string().min(1).max(100) }),
        ]),
      )
      .output(DatasetDetail),
    /** The desktop app's native open dialog: a token for the chosen file and its name, or null if cancelled. */
    pickFile: oc.output(z.object({ token: z.string(), name: z.string() }).nullable()),
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
     * Push an experiment's exported adapter or merged model to a model repo, creating it (private by default)
     * and adding a model card made from the experiment; per-file progress, then the commit URL. The folder is
     * found on the host from the experiment id and kind: no path crosses the API. Needs a write token.
     */
    push: oc
      .input(
        z.object({
          experimentId: z.string().min(1),
          kind: z.enum(['adapter', 'merged']),
          repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
          private: z.boolean().default(true),
          license: z.string().max(100).optional(),
        }),
      )
      .output(eventIterator(z.object({ file: z.string(), progress: z.number(), url: z.string().optional() }))),
  },
}

export type Contract = typeof contract
