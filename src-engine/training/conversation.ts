/**
 * A chat turn's input ids, built exactly as training formats a conversation (the trainer's own
 * tokenizeSample), so the CLI's `chat` and the app's chat panes ask the model what it was trained on.
 */
import type { Config } from '../../src-shared/config'
import type { Tokenizer } from '../tokenizers'
import type { ChatMessage } from '../tokenizers/tokenizer'
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


/** The messages of a conversation in the role/content form chat templates expect. */
export function conversationMessages(history: readonly Turn[], prompt: string, system = ''): ChatMessage[] {
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...history.flatMap((turn) => [
      { role: 'user' as const, content: turn.prompt },
      { role: 'assistant' as const, content: turn.answer },
    ]),
    { role: 'user', content: prompt },
  ]
}

/**
 * The ids of a conversation rendered with the backbone's chat template, as transformers'
 * apply_chat_template(add_generation_prompt=True, tokenize=True) makes them: the template writes the special
 * tokens itself, so the text is encoded without the post-processor's. Kept to the last max_length tokens.
 */
export function chatTemplateIds(tokenizer: Tokenizer, config: Config, history: readonly Turn[], prompt: string, system = ''): number[] {
  const text = tokenizer.applyChatTemplate(conversationMessages(history, prompt, system), { addGenerationPrompt: true })
  if (text === null) {
    throw new Error(`The backbone "${config.llm_backbone}" has no chat_template in its tokenizer_config.json: choose "Prompt format: as training" in the chat settings.`)
  }
  return tokenizer.encode(text).slice(-config.tokenizer.max_length)
}
