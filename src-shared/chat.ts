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
