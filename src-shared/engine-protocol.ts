/**
 * Typed messages between the host (src-main) and an engine child (src-engine/worker.ts) over Node's IPC
 * channel. Every message is parsed with these schemas on arrival, on both sides: nothing crosses untyped.
 *
 * A training child's life: hello → ready → train → (phase | progress | metrics | log | checkpoint)* →
 * done | failed. `cancel` asks it to stop at the next step boundary (after saving a checkpoint) and answer
 * `cancelled`.
 */
import { z } from 'zod'
import { CodedMessage, EngineInfo, LogLevel } from './entities'

/** Environment variable that overrides environment.backend for every engine child. */
export const BACKEND_ENV = 'FINETUNE_STUDIO_BACKEND'
/** "1": the webgpu rung may take a software adapter (Mesa's llvmpipe): tests and the bench, not users. */
export const WEBGPU_SOFTWARE_ENV = 'FINETUNE_STUDIO_WEBGPU_SOFTWARE'

export const backendChoices = ['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const
export const BackendChoice = z.enum(backendChoices)
export type BackendChoice = z.infer<typeof BackendChoice>

export const TrainRequest = z.object({
  experimentId: z.string(),
  /** The experiment folder: cfg.yaml, checkpoints/, adapter/, logs.txt, predictions.csv. */
  experimentDir: z.string(),
  /** The experiment's Config as stored; the engine validates it with the shared schema. */
  config: z.unknown(),
  /** Continue from the last checkpoint in experimentDir instead of starting fresh. */
  resume: z.boolean(),
  /** The OpenAI-compatible endpoint for prediction.metric "OpenAI API" (from Settings); absent: none set. */
  judge: z.object({ baseUrl: z.string(), model: z.string(), apiKey: z.string() }).optional(),
})
export type TrainRequest = z.infer<typeof TrainRequest>

export const HostToEngine = z.discriminatedUnion('type', [
  /** First message: choose and initialise a tensor backend, then answer `ready` or `failed`. */
  z.object({ type: z.literal('hello'), backend: BackendChoice }),
  z.object({ type: z.literal('train'), request: TrainRequest }),
  /** Stop the running job at the next safe point. */
  z.object({ type: z.literal('cancel') }),
  /** Finish what is running at a safe point and exit 0. */
  z.object({ type: z.literal('shutdown') }),
])
export type HostToEngine = z.infer<typeof HostToEngine>

export const trainingPhases = ['loading-data', 'loading-model', 'tokenizing', 'training', 'evaluating', 'saving', 'exporting'] as const
export const TrainingPhase = z.enum(trainingPhases)
export type TrainingPhase = z.infer<typeof TrainingPhase>

export const EngineToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: EngineInfo }),
  z.object({ type: z.literal('phase'), phase: TrainingPhase, detail: z.string().optional() }),
  /** Optimizer steps done out of planned, with the engine's own ETA (it knows the step times). */
  z.object({
    type: z.literal('progress'),
    step: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    epoch: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable(),
  }),
  /** Values logged at one step, e.g. {"train/loss": 2.1, "train/lr": 1e-4, "train/tokens_per_s": 850}. */
  z.object({
    type: z.literal('metrics'),
    step: z.number().int().nonnegative(),
    epoch: z.number().nonnegative(),
    values: z.record(z.string(), z.number()),
  }),
  z.object({ type: z.literal('log'), level: LogLevel, message: z.string() }),
  z.object({ type: z.literal('checkpoint'), step: z.number().int().nonnegative(), path: z.string(), kind: z.enum(['last', 'best', 'evaluation']) }),
  /** The metric the experiment is judged by improved: shown as the experiment's best metric. */
  z.object({ type: z.literal('best'), name: z.string(), value: z.number(), step: z.number().int().nonnegative() }),
  z.object({ type: z.literal('done'), summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) }),
  z.object({ type: z.literal('cancelled'), step: z.number().int().nonnegative() }),
  /** Unrecoverable: the message says what happened and what the user can do about it. */
  z.object({ type: z.literal('failed'), message: z.string(), code: CodedMessage.optional() }),
])
export type EngineToHost = z.infer<typeof EngineToHost>
