/**
 * tokenizer.add_prompt_answer_tokens: a tokenizer with extra special tokens, as transformers'
 * `add_special_tokens({additional_special_tokens: [...]})`. The text is split on the new tokens first
 * (leftmost, longest first, as the Rust library's added vocabulary does), each piece goes to the base
 * tokenizer, and each token becomes one id. A string that is already a single token of the vocabulary keeps
 * its id and adds nothing.
 *
 * New ids start at `firstNewId`, the model's embedding rows (config.json vocab_size), not len(tokenizer):
 * models whose vocab_size is padded past the tokenizer (GPT-NeoX) would otherwise have ids that collide
 * with existing rows, and the rows are appended after the existing ones (models/grow-vocabulary.ts).
 * Departure: pieces after a new token are tokenised as the start of a text (the Rust library tells the
 * pre-tokenizer whether a piece starts the input; it matters only for Metaspace prefix spaces).
 */
import { createPrefixStreamDecoder } from './stream-decoder'
import type { ChatMessage, DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer } from './tokenizer'

export interface AddedToken {
  content: string
  id: number
  /** False when the string was already one token of the vocabulary (its id is reused, no row is added). */
  isNew: boolean
}

/** What makes the same tokenizer again from the base (sent to tokenizer worker threads). */
export interface AddedTokensSpec {
  tokens: string[]
  firstNewId: number
}

export class AddedSpecialTokensTokenizer implements Tokenizer {
  readonly description: string
  readonly spec: AddedTokensSpec
  readonly vocabSize: number
  readonly added: readonly AddedToken[]
  private readonly byContent = new Map<string, number>()
  private readonly byId = new Map<number, string>()
  /** Longest first, so that a token that contains another wins. */
  private readonly contents: string[]

  constructor(
    private readonly base: Tokenizer,
    tokens: readonly string[],
    firstNewId: number,
  ) {
    this.spec = { tokens: [...tokens], firstNewId }
    const added: AddedToken[] = []
    let next = firstNewId
    for (const content of new Set(tokens.filter((t) => t !== ''))) {
      const single = base.encode(content)
      const existing = base.tokenToId(content)
      const id = existing !== undefined && single.length === 1 && single[0] === existing ? existing : next++
      added.push({ content, id, isNew: id !== existing })
      this.byContent.set(content, id)
      this.byId.set(id, content)
    }
    this.added = added
    this.contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length)
    this.vocabSize = Math.max(base.vocabSize, next)
    this.description = `${base.description} + ${added.filter((t) => t.isNew).length} added special tokens`
  }

  get bosTokenId(): number | null {
    return this.base.bosTokenId
  }

  get eosTokenId(): number | null {
    return this.base.eosTokenId
  }

  get padTokenId(): number | null {
    return this.base.padTokenId
  }

  /** New rows the model's embedding needs. */
  get newTokenCount(): number {
    return this.added.filter((t) => t.isNew).length
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = []
    let plainStart = 0
    for (let i = 0; i < text.length; ) {
      const match = this.contents.find((c) => text.startsWith(c, i))
      if (!match) {
        i++
        continue
      }
      if (i > plainStart) ids.push(...this.base.encode(text.slice(plainStart, i)))
      ids.push(this.byContent.get(match)!)
      i += match.length
      plainStart = i
    }
    if (plainStart < text.length) ids.push(...this.base.encode(text.slice(plainStart)))
    return options.addSpecialTokens ? this.postProcess(ids) : ids
  }

  /** The base's post-processor (bos/eos) around `ids`: found by encoding a probe with and without it. */
  private postProcess(ids: number[]): number[] {
    const plain = this.base.encode('a')
    const full = this.base.encode('a', { addSpecialTokens: true })
    const at = full.findIndex((_, i) => plain.every((id, k) => full[i + k] === id))
    if (at < 0) return ids
    return [...full.slice(0, at), ...ids, ...full.slice(at + plain.length)]
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    let text = ''
    let run: number[] = []
    for (const id of ids) {
      const content = this.byId.get(id)
      if (content === undefined) {
        run.push(id)
        continue
      }
      text += this.base.decode(run, options)
      run = []
      if (!options.skipSpecialTokens) text += content
    }
    return text + this.base.decode(run, options)
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.byId.get(id) ?? this.base.tokens([id])[0] ?? '')
  }

  tokenToId(token: string): number | undefined {
    return this.byContent.get(token) ?? this.base.tokenToId(token)
  }

  createStreamDecoder(options?: DecodeOptions): StreamDecoder {
    return createPrefixStreamDecoder((ids, o) => this.decode(ids, o), options)
  }

  applyChatTemplate(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean }): string | null {
    return this.base.applyChatTemplate(messages, options)
  }
}
