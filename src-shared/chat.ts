/**
 * From an experiment's Config to a chat turn's generation settings (its prediction section), so chat
 * answers are produced the way the experiment's validation answers were; and the chat's streamed pieces.
 */
import { z } from 'zod'
import { decodeEscapes, type Config } from './config'
import type { GenerationSettings } from './inference-protocol'

export function generationSettingsOf(config: Config): GenerationSettings {
  const p = config.prediction
  return {
    maxNewTokens: p.max_length_inference,
    minNewTokens: p.min_length_inference,
    doSample: p.do_sample,
    temperature: p.temperature,
    topK: p.top_k,
    topP: p.top_p,
    repetitionPenalty: p.repetition_penalty,
    // Beam search cannot stream; a chat pane shows text as it comes, so it decodes greedily or samples.
    numBeams: 1,
    stopStrings: p.stop_tokens
      .split(',')
      .map((s) => decodeEscapes(s.trim()))
      .filter((s) => s !== ''),
    maxTimeSeconds: p.max_time,
    seed: config.environment.seed >= 0 ? config.environment.seed : undefined,
  }
}

export const chatSides = ['before', 'after'] as const
export const ChatSide = z.enum(chatSides)
export type ChatSide = z.infer<typeof ChatSide>

/** One streamed piece of a chat answer, as the renderer receives it. */
export const ChatChunk = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loading'), description: z.string() }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('finished'), finishReason: z.string(), tokens: z.number(), tokensPerSecond: z.number(), answer: z.string() }),
])
export type ChatChunk = z.infer<typeof ChatChunk>

/** Why the backbone's chat template cannot be used (none: it can). */
export const ChatTemplateStatus = z.object({ available: z.boolean(), reason: z.enum(['noTemplate', 'backboneMissing']).nullable() })
export type ChatTemplateStatus = z.infer<typeof ChatTemplateStatus>

/**
 * What the "after" pane answers with: the exported adapter of a finished run, or the latest checkpoint of a
 * running one (step and epoch for its label), or merged/ when training added prompt/answer tokens;
 * `problem` says why it cannot answer now.
 */
export const AfterModel = z.object({
  source: z.enum(['adapter', 'merged', 'checkpoint', 'none']),
  step: z.number().int().nullable(),
  epoch: z.number().nullable(),
  problem: z.enum(['noWeights', 'noCheckpointYet', 'notLora', 'lowMemory', 'addedTokens']).nullable(),
  /** The memory estimate for the checkpoint's model and what the system has free (running experiments). */
  neededBytes: z.number().nullable(),
  freeBytes: z.number().nullable(),
})
export type AfterModel = z.infer<typeof AfterModel>

export const ChatModels = z.object({ chatTemplate: ChatTemplateStatus, after: AfterModel })
export type ChatModels = z.infer<typeof ChatModels>
