/** Chat templates (jinja, as transformers renders them) and special-token fields of tokenizer_config.json. */
import { Template } from '@huggingface/jinja'
import type { ChatMessage } from './tokenizer'

export type SpecialToken = string | { content?: string } | null | undefined

/** The text of a special-token entry: a string or an AddedToken object ({content: …}). */
export function specialTokenText(token: SpecialToken): string | null {
  if (typeof token === 'string') return token
  return token?.content ?? null
}

export function renderChatTemplate(
  template: string,
  messages: readonly ChatMessage[],
  options: { addGenerationPrompt?: boolean },
  bosToken: string,
  eosToken: string,
): string {
  return new Template(template).render({
    messages: [...messages],
    add_generation_prompt: options.addGenerationPrompt ?? true,
    bos_token: bosToken,
    eos_token: eosToken,
  })
}
