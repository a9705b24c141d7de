/**
 * tokenizer.json (the Hugging Face tokenizers format: BPE, byte-level BPE, Unigram, WordPiece) through
 * @huggingface/tokenizers, with tokenizer_config.json for special tokens and the chat template.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { renderChatTemplate, specialTokenText as tokenText, type SpecialToken } from './chat-template'
import { createPrefixStreamDecoder } from './stream-decoder'
import type { ChatMessage, DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer } from './tokenizer'

export class HfJsonTokenizer implements Tokenizer {
  readonly description: string
  readonly vocabSize: number
  readonly bosTokenId: number | null
  readonly eosTokenId: number | null
  readonly padTokenId: number | null
  private readonly inner: HfTokenizer
  private readonly chatTemplate: string | null
  private readonly bosToken: string | null
  private readonly eosToken: string | null

  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>, source: string) {
    this.inner = new HfTokenizer(tokenizerJson, tokenizerConfig)
    const model = tokenizerJson.model as { type?: string } | undefined
    this.description = `${source} (${model?.type ?? 'unknown model'})`
    this.vocabSize = this.inner.get_vocab(true).size
    this.bosToken = tokenText(tokenizerConfig.bos_token as SpecialToken)
    this.eosToken = tokenText(tokenizerConfig.eos_token as SpecialToken)
    const idOf = (token: string | null) => (token === null ? null : (this.inner.token_to_id(token) ?? null))
    this.bosTokenId = idOf(this.bosToken)
    this.eosTokenId = idOf(this.eosToken)
    this.padTokenId = idOf(tokenText(tokenizerConfig.pad_token as SpecialToken))
    const template = tokenizerConfig.chat_template
    this.chatTemplate = typeof template === 'string' ? template : null
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false })
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.inner.id_to_token(id) ?? '')
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token)
  }

  createStreamDecoder(options?: DecodeOptions): StreamDecoder {
    return createPrefixStreamDecoder((ids, o) => this.decode(ids, o), options)
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string | null {
    if (!this.chatTemplate) return null
    return renderChatTemplate(this.chatTemplate, messages, options, this.bosToken ?? '', this.eosToken ?? '')
  }
}
