/**
 * tokenizer.add_prompt_answer_tokens: which marker strings become special tokens (text_prompt_start and
 * text_answer_separator, when non-empty), shared by the trainer and by what loads a trained experiment
 * (such an experiment's vocabulary grew, so it is used through merged/, not backbone + adapter/).
 */
import { decodeEscapes } from './escapes'
import type { Config } from './schema'

export function promptAnswerMarkers(config: Config): string[] {
  if (!config.tokenizer.add_prompt_answer_tokens) return []
  return [decodeEscapes(config.dataset.text_prompt_start), decodeEscapes(config.dataset.text_answer_separator)].filter((m) => m !== '')
}
