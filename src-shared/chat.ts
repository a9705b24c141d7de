/**
 * From an experiment's Config to what a chat turn needs: the generation settings (its prediction section)
 * and the prompt format (its dataset section, escapes decoded) — so chat answers are produced the way the
 * experiment's validation answers were.
 */
import { z } from 'zod'
import { decodeEscapes, type Config } from './config'
import type { GenerationSettings} from './inference-protocol';
import { type PromptFormat } from './inference-protocol'

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

export function promptFormatOf(config: Config): PromptFormat {
  const d = config.dataset
  return {
    systemStart: decodeEscapes(d.text_system_start),
    promptStart: decodeEscapes(d.text_prompt_start),
    answerSeparator: decodeEscapes(d.text_answer_separator),
    addEosToSystem: d.add_eos_token_to_system,
    addEosToPrompt: d.add_eos_token_to_prompt,
    addEosToAnswer: d.add_eos_token_to_answer,
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
