/**
 * Typed messages between the host and the inference child (src-engine/inference-worker.ts), which keeps
 * models loaded between chat messages and streams each answer's text as it is generated.
 */
import { z } from 'zod'
import { BackendChoice } from './engine-protocol'
import { CodedMessage, EngineInfo } from './entities'

/** The prediction settings a chat answer uses, in the engine's terms. */
export const GenerationSettings = z.object({
  maxNewTokens: z.number().int().min(1).max(8192),
  minNewTokens: z.number().int().min(0).default(0),
  doSample: z.boolean(),
  temperature: z.number().min(0),
  topK: z.number().int().min(0),
  topP: z.number().min(0).max(1),
  repetitionPenalty: z.number().positive(),
  numBeams: z.number().int().min(1),
  stopStrings: z.array(z.string()),
  maxTimeSeconds: z.number().min(0),
  seed: z.number().int().optional(),
})
export type GenerationSettings = z.infer<typeof GenerationSettings>

export const ModelRef = z.object({
  /** A model folder in Hugging Face format (resolved by the host). */
  modelDir: z.string(),
  /** A PEFT adapter folder applied on top, or null for the backbone alone. */
  adapterDir: z.string().nullable(),
  /**
   * A training checkpoint (checkpoints/last, …) of a LoRA run to apply instead, while the run goes on; its
   * step tells a newer one from the one already loaded.
   */
  checkpoint: z.object({ dir: z.string(), step: z.number().int().nonnegative() }).optional(),
})
export type ModelRef = z.infer<typeof ModelRef>

/**
 * How a chat turn becomes the model's input: as the experiment formatted its training rows, or with the
 * backbone's own chat template (tokenizer_config.json chat_template, with add_generation_prompt).
 */
export const PromptFormat = z.enum(['training', 'chatTemplate'])
export type PromptFormat = z.infer<typeof PromptFormat>

/** A chat turn to build the model's input from, the way the experiment's Config formats training rows. */
export const ChatInput = z.object({
  /** The experiment's Config (validated by the engine with the shared schema). */
  config: z.unknown(),
  system: z.string().nullable(),
  history: z.array(z.object({ prompt: z.string(), answer: z.string() })),
  prompt: z.string(),
  promptFormat: PromptFormat.default('training'),
})
export type ChatInput = z.infer<typeof ChatInput>

export const HostToInference = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), backend: BackendChoice }),
  z.object({ type: z.literal('generate'), requestId: z.string(), model: ModelRef, input: ChatInput, settings: GenerationSettings }),
  z.object({ type: z.literal('stop'), requestId: z.string() }),
  z.object({ type: z.literal('shutdown') }),
])
export type HostToInference = z.infer<typeof HostToInference>

export const finishReasons = ['eos', 'stop-string', 'length', 'time', 'aborted'] as const

export const InferenceToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: EngineInfo }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  /** A model was loaded for a request (the first message that uses it pays this). */
  z.object({ type: z.literal('loaded'), requestId: z.string(), description: z.string(), seconds: z.number() }),
  /** Newly complete text: never half of a multi-byte character. */
  z.object({ type: z.literal('text'), requestId: z.string(), text: z.string() }),
  z.object({
    type: z.literal('finished'),
    requestId: z.string(),
    finishReason: z.enum(finishReasons),
    tokens: z.number().int().nonnegative(),
    tokensPerSecond: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('error'), requestId: z.string(), message: z.string(), code: CodedMessage.optional() }),
])
export type InferenceToHost = z.infer<typeof InferenceToHost>
