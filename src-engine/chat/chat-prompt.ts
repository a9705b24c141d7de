/**
 * The text a chat turn sends to the model, built the way the experiment formatted its training rows
 * (H2O LLM Studio's causal-LM layout): [system start + system (+EOS)] then, for every earlier turn and
 * the new one, prompt start + prompt (+EOS) + answer separator, followed by the answer (+EOS) for earlier
 * turns. The new turn ends at the separator: the model writes the answer.
 */
import type { ChatInput } from '../../src-shared/inference-protocol'

export function buildChatText(input: ChatInput, eosToken: string | null): string {
  const { format } = input
  const eos = (add: boolean) => (add && eosToken ? eosToken : '')
  let text = input.system ? format.systemStart + input.system + eos(format.addEosToSystem) : ''
  const ask = (prompt: string) => format.promptStart + prompt + eos(format.addEosToPrompt) + format.answerSeparator
  for (const turn of input.history) text += ask(turn.prompt) + turn.answer + eos(format.addEosToAnswer)
  return text + ask(input.prompt)
}
