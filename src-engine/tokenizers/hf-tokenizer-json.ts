/**
 * tokenizer.json (the Hugging Face tokenizers format) implemented here, matching the Rust library id for id:
 * added tokens → normalizer → pre-tokenizer → model (BPE, byte-level BPE, Unigram, WordPiece, WordLevel) →
 * post-processor; decoding through the decoder chain. tokenizer_config.json supplies bos/eos/pad, the chat
 * template and clean_up_tokenization_spaces (applied on decode as transformers does; default off, as the
 * Rust library).
 */
import { TokenMatcher, type AddedTokenJson, type Section } from './tokenizer-json/added-vocabulary'
import { cleanUpTokenization, createDecoder, type Decoder } from './tokenizer-json/decoders'
import { createModel, type Model } from './tokenizer-json/models'
import { createNormalizer, type Normalizer } from './tokenizer-json/normalizers'
import { createPostProcessor, type PostProcessor } from './tokenizer-json/post-processors'
import { createPreTokenizer, type PreTokenizer } from './tokenizer-json/pre-tokenizers'
import { renderChatTemplate, specialTokenText as tokenText, type SpecialToken } from './chat-template'
import { createPrefixStreamDecoder } from './stream-decoder'
import type { ChatMessage, DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer } from './tokenizer'

type Json = Record<string, unknown>

export class HfJsonTokenizer implements Tokenizer {
  readonly description: string
  readonly vocabSize: number
  readonly bosTokenId: number | null
  readonly eosTokenId: number | null
  readonly padTokenId: number | null
  private readonly model: Model
  private readonly normalizer: Normalizer | null
  private readonly preTokenizer: PreTokenizer | null
  private readonly postProcessor: PostProcessor | null
  private readonly decoder: Decoder | null
  private readonly rawMatcher: TokenMatcher
  private readonly normalizedMatcher: TokenMatcher
  private readonly addedById = new Map<number, AddedTokenJson>()
  private readonly addedByContent = new Map<string, number>()
  private readonly chatTemplate: string | null
  private readonly bosToken: string | null
  private readonly eosToken: string | null
  private readonly cleanUpSpaces: boolean

  constructor(tokenizerJson: Json, tokenizerConfig: Json, source: string) {
    const modelJson = tokenizerJson.model as Json | undefined
    if (!modelJson) throw new Error(`${source}: no "model" section`)
    this.model = createModel(modelJson)
    this.normalizer = createNormalizer(tokenizerJson.normalizer as Json | null)
    this.preTokenizer = createPreTokenizer(tokenizerJson.pre_tokenizer as Json | null)
    this.postProcessor = createPostProcessor(tokenizerJson.post_processor as Json | null)
    this.decoder = createDecoder(tokenizerJson.decoder as Json | null)
    const added = (tokenizerJson.added_tokens ?? []) as AddedTokenJson[]
    const raw: [string, AddedTokenJson][] = []
    const normalized: [string, AddedTokenJson][] = []
    for (const token of added) {
      this.addedById.set(token.id, token)
      this.addedByContent.set(token.content, token.id)
      if (token.normalized) normalized.push([this.normalizer ? this.normalizer(token.content) : token.content, token])
      else raw.push([token.content, token])
    }
    this.rawMatcher = new TokenMatcher(raw)
    this.normalizedMatcher = new TokenMatcher(normalized)
    const type = typeof modelJson.type === 'string' ? modelJson.type : 'model'
    const byteLevel = JSON.stringify(tokenizerJson.pre_tokenizer ?? null).includes('"ByteLevel"')
    this.description = `${source} (${byteLevel ? 'byte-level ' : ''}${type}${modelJson.byte_fallback ? ', byte fallback' : ''})`
    let size = this.model.idToToken.length
    for (const token of added) size = Math.max(size, token.id + 1)
    this.vocabSize = size
    this.bosToken = tokenText(tokenizerConfig.bos_token as SpecialToken)
    this.eosToken = tokenText(tokenizerConfig.eos_token as SpecialToken)
    const idOf = (token: string | null) => (token === null ? null : (this.tokenToId(token) ?? null))
    this.bosTokenId = idOf(this.bosToken)
    this.eosTokenId = idOf(this.eosToken)
    this.padTokenId = idOf(tokenText(tokenizerConfig.pad_token as SpecialToken))
    const template = tokenizerConfig.chat_template
    this.chatTemplate = typeof template === 'string' ? template : null
    this.cleanUpSpaces = tokenizerConfig.clean_up_tokenization_spaces === true
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = []
    const sections: Section[] = []
    for (const s of this.rawMatcher.split(text, 0)) {
      if ('id' in s) {
        sections.push(s)
        continue
      }
      const normalized = this.normalizer ? this.normalizer(s.text) : s.text
      for (const n of this.normalizedMatcher.split(normalized, s.start)) sections.push(n)
    }
    for (const s of sections) {
      if ('id' in s) {
        ids.push(s.id)
        continue
      }
      if (s.text.length === 0) continue
      const words = this.preTokenizer ? this.preTokenizer([s.text], s.start === 0) : [s.text]
      for (const word of words) this.model.tokenize(word, ids)
    }
    return options.addSpecialTokens && this.postProcessor ? this.postProcessor(ids) : ids
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const tokens: string[] = []
    for (const id of ids) {
      const added = this.addedById.get(id)
      if (added) {
        if (options.skipSpecialTokens && added.special) continue
        tokens.push(added.content)
        continue
      }
      const token = this.model.idToToken[id]
      if (token !== undefined) tokens.push(token)
    }
    const text = this.decoder ? this.decoder(tokens).join('') : tokens.join(' ')
    return this.cleanUpSpaces ? cleanUpTokenization(text) : text
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.addedById.get(id)?.content ?? this.model.idToToken[id] ?? '')
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.model.vocab.get(token)
  }

  createStreamDecoder(options?: DecodeOptions): StreamDecoder {
    return createPrefixStreamDecoder((ids, o) => this.decode(ids, o), options)
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string | null {
    if (!this.chatTemplate) return null
    return renderChatTemplate(this.chatTemplate, messages, options, this.bosToken ?? '', this.eosToken ?? '')
  }
}
