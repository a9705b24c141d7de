/**
 * A chat turn's input ids, built exactly as training formats a conversation (the trainer's own
 * tokenizeSample), so the CLI's `chat` and the app's chat panes ask the model what it was trained on.
 */
import type { Config } from '../../src-shared/config'
import type { Tokenizer } from '../tokenizers'
import { promptFormatFromConfig, tokenizeSample } from './dataset'

export interface Turn {
  prompt: string
  answer: string
}

/**
 * The ids of a conversation, as training formats a `messages` row: earlier turns (prompt + answer), then
 * the new prompt with its markers; the system text first. Kept to the last max_length tokens.
 */
export function conversationIds(tokenizer: Tokenizer, config: Config, history: readonly Turn[], prompt: string, system = ''): number[] {
  const format = promptFormatFromConfig(config)
  return tokenizeSample(tokenizer, format, { system, prompt, answer: '', history: [...history] }).promptIds
}

