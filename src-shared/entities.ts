/**
 * The records that cross process boundaries: what the history store holds and what the API returns.
 * Each is a zod schema (runtime-checked at the boundary) plus its inferred TypeScript type.
 */
import { z } from 'zod'

export const experimentStatuses = ['queued', 'running', 'finished', 'failed', 'stopped', 'interrupted'] as const
export const ExperimentStatus = z.enum(experimentStatuses)
export type ExperimentStatus = z.infer<typeof ExperimentStatus>

/** Epoch milliseconds. Timestamps stay numbers across the wire; formatting is the renderer's job. */
const Millis = z.number().int().nonnegative()

/** A user-facing message by code and parameters (see src-shared/user-error.ts), translated by the renderer. */
export const CodedMessage = z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) })
export type CodedMessage = z.infer<typeof CodedMessage>

export const ExperimentSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: ExperimentStatus,
  backbone: z.string(),
  datasetId: z.string().nullable(),
  datasetName: z.string().nullable(),
  /** 0..1 share of the planned optimizer steps that are done. */
  progress: z.number().min(0).max(1),
  etaSeconds: z.number().nullable(),
  bestMetric: z.object({ name: z.string(), value: z.number() }).nullable(),
  backend: z.string().nullable(),
  device: z.string().nullable(),
  error: z.string().nullable(),
  /** The error's message code and parameters, when it has one: the UI says it in the user's language. */
  errorCode: CodedMessage.nullable(),
  createdAt: Millis,
  startedAt: Millis.nullable(),
  finishedAt: Millis.nullable(),
})
export type ExperimentSummary = z.infer<typeof ExperimentSummary>

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string(),
  format: z.enum(['csv', 'json', 'jsonl', 'parquet']),
  rows: z.number().int().nonnegative(),
  columns: z.array(z.string()),
  createdAt: Millis,
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

export const MetricPoint = z.object({
  step: z.number().int().nonnegative(),
  epoch: z.number().nonnegative(),
  name: z.string(),
  value: z.number(),
  time: Millis,
})
export type MetricPoint = z.infer<typeof MetricPoint>

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error'])
export type LogLevel = z.infer<typeof LogLevel>

/** What the engine child says about the tensor backend it chose; shown as the engine chip. */
export const EngineInfo = z.object({
  backend: z.string(),
  /** Human words for where tensors live: "CPU (WebAssembly, SIMD)", "NVIDIA … (CUDA)", … */
  device: z.string(),
  tfjsVersion: z.string(),
  /** Every rung of the ladder that was tried, with why it was or was not taken. */
  ladder: z.array(z.object({ backend: z.string(), ok: z.boolean(), reason: z.string() })),
  /** What the backend does with 16-bit weights and mixed precision; never silently ignored. */
  precisionNote: z.string(),
  pid: z.number().int(),
  startedInMs: z.number().nonnegative(),
})
export type EngineInfo = z.infer<typeof EngineInfo>

export const EngineStatus = z.discriminatedUnion('state', [
  z.object({ state: z.literal('starting') }),
  z.object({ state: z.literal('ready'), info: EngineInfo }),
  z.object({ state: z.literal('failed'), message: z.string() }),
])
export type EngineStatus = z.infer<typeof EngineStatus>

/** The memory a run can use on the engine's device: system memory for CPU backends, the GPU's where known. */
export const DeviceMemory = z.object({
  kind: z.enum(['system', 'gpu', 'unknown']),
  backend: z.string().nullable(),
  device: z.string().nullable(),
  totalBytes: z.number().nullable(),
  freeBytes: z.number().nullable(),
})
export type DeviceMemory = z.infer<typeof DeviceMemory>

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** "electron" or "web": which transport serves this renderer. */
  host: z.enum(['electron', 'web']),
  dataDir: z.string(),
  platform: z.string(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const LogEntry = z.object({ id: z.number().int(), time: Millis, level: LogLevel, message: z.string() })
export type LogEntry = z.infer<typeof LogEntry>

/** What a running experiment announces; the watch stream sends a snapshot first, then these. */
export const ExperimentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: ExperimentStatus, error: z.string().nullable(), errorCode: CodedMessage.nullable().optional() }),
  z.object({
    type: z.literal('progress'),
    progress: z.number().min(0).max(1),
    etaSeconds: z.number().nullable(),
    step: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    epoch: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('metrics'), points: z.array(MetricPoint) }),
  z.object({ type: z.literal('log'), ...LogEntry.shape }),
  z.object({ type: z.literal('engine'), backend: z.string(), device: z.string() }),
])
export type ExperimentEvent = z.infer<typeof ExperimentEvent>

export const ExperimentSnapshot = z.object({
  type: z.literal('snapshot'),
  experiment: ExperimentSummary,
  metrics: z.array(MetricPoint),
  logs: z.array(LogEntry),
})
export type ExperimentSnapshot = z.infer<typeof ExperimentSnapshot>

export const ChatSummary = z.object({
  id: z.string(),
  experimentId: z.string().nullable(),
  title: z.string(),
  createdAt: Millis,
  updatedAt: Millis,
})
export type ChatSummary = z.infer<typeof ChatSummary>

export const ChatMessage = z.object({
  turn: z.number().int().nonnegative(),
  side: z.enum(['user', 'before', 'after']),
  content: z.string(),
  createdAt: Millis,
})
export type ChatMessage = z.infer<typeof ChatMessage>

export const PredictionRow = z.object({ prompt: z.string(), target: z.string(), predicted: z.string(), score: z.number().nullable() })
export type PredictionRow = z.infer<typeof PredictionRow>

export const ExperimentArtifacts = z.object({
  /** The experiment folder on this computer. */
  folder: z.string(),
  /** predictions.csv of the latest evaluation, or null before the first one. */
  predictions: z.array(PredictionRow).nullable(),
  /** Exported folders (adapter/, merged/, checkpoints/) with their size. */
  folders: z.array(z.object({ name: z.enum(['adapter', 'merged', 'checkpoints']), path: z.string(), bytes: z.number() })),
})
export type ExperimentArtifacts = z.infer<typeof ExperimentArtifacts>
