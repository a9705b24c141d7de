/**
 * What the engine needs from a tokenizer, whatever file it came from (tokenizer.json, spiece.model, …).
 * Ids follow the reference libraries exactly: `encode(text)` is the plain encode without bos/eos,
 * `encode(text, { addSpecialTokens: true })` applies the model's post-processor.
 */
export interface EncodeOptions {
  addSpecialTokens?: boolean
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean
}

/** Turns ids into text as they stream in, never emitting half of a multi-byte character. */
export interface StreamDecoder {
  /** Text that became complete with this id (possibly ''). */
  push(id: number): string
  /** Whatever is still held back at the end of the stream. */
  flush(): string
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface Tokenizer {
  /** Which file and kind: "tokenizer.json (BPE)", "spiece.model (Unigram)", … */
  readonly description: string
  readonly vocabSize: number
  readonly bosTokenId: number | null
  readonly eosTokenId: number | null
  readonly padTokenId: number | null
  encode(text: string, options?: EncodeOptions): number[]
  decode(ids: readonly number[], options?: DecodeOptions): string
  /** The vocabulary strings of the ids (as the libraries' `tokens` show them). */
  tokens(ids: readonly number[]): string[]
  tokenToId(token: string): number | undefined
  createStreamDecoder(options?: DecodeOptions): StreamDecoder
  /** The model's chat template applied to messages, or null when the model has none. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean }): string | null
}
