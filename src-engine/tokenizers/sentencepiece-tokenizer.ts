/**
 * SentencePiece model files (spiece.model, tokenizer.model) without the C++ library: our own ModelProto
 * reader, normalizer, Unigram and BPE models, byte fallback and decoding, matching sentencepiece
 * (SentencePieceProcessor::Encode / Decode) id for id. bos/eos for `addSpecialTokens` follow
 * tokenizer_config.json (add_bos_token / add_eos_token, else the tokenizer class: Llama adds bos, T5 eos).
 * When tokenizer_config.json names special tokens (bos/eos/unk/pad/…, additional_special_tokens,
 * added_tokens_decoder), they are honoured in text as transformers' slow tokenizers do (legacy mode): the
 * text is split on them and each piece between them is encoded on its own. A bare .model (no config)
 * behaves exactly as the C++ library, which does not look for special tokens in text.
 */
import { PieceType, ModelType, parseModelProto, type ModelProto } from './sentencepiece/model-proto'
import { BpeModel, PieceTable, UnigramModel, type Segment } from './sentencepiece/models'
import { BytePrefixMatcher, SentencePieceNormalizer } from './sentencepiece/normalizer'
import { createPrefixStreamDecoder } from './stream-decoder'
import { TokenMatcher, type AddedTokenJson } from './tokenizer-json/added-vocabulary'
import { renderChatTemplate, specialTokenText, type SpecialToken } from './chat-template'
import type { ChatMessage, DecodeOptions, EncodeOptions, StreamDecoder, Tokenizer } from './tokenizer'

const SPACE_SYMBOL = '\u2581'
const REPLACEMENT = '\uFFFD'

export class SentencePieceTokenizer implements Tokenizer {
  readonly description: string
  readonly vocabSize: number
  readonly bosTokenId: number | null
  readonly eosTokenId: number | null
  readonly padTokenId: number | null
  readonly unkTokenId: number
  readonly proto: ModelProto
  private readonly table: PieceTable
  private readonly model: { encode(normalized: string): Segment[] }
  private readonly normalizer: SentencePieceNormalizer
  private readonly byteIds: Int32Array
  private readonly byteOf: Map<number, number>
  private readonly addBos: boolean
  private readonly addEos: boolean
  private readonly chatTemplate: string | null
  private readonly specialMatcher: TokenMatcher

  constructor(buffer: Uint8Array, tokenizerConfig: Record<string, unknown> = {}, source = 'spiece.model') {
    const proto = parseModelProto(buffer)
    this.proto = proto
    const table = new PieceTable(proto.pieces)
    this.table = table
    const type = proto.trainerSpec.modelType
    if (type === ModelType.Unigram) this.model = new UnigramModel(table)
    else if (type === ModelType.Bpe) this.model = new BpeModel(table)
    else throw new Error(`${source}: SentencePiece model type ${type === ModelType.Word ? 'WORD' : type === ModelType.Char ? 'CHAR' : String(type)} is not supported (Unigram and BPE are)`)
    this.normalizer = new SentencePieceNormalizer(proto.normalizerSpec, new BytePrefixMatcher(table.userDefined), proto.trainerSpec.treatWhitespaceAsSuffix)
    this.description = `${source} (SentencePiece ${type === ModelType.Unigram ? 'Unigram' : 'BPE'}${proto.trainerSpec.byteFallback ? ', byte fallback' : ''})`
    this.vocabSize = proto.pieces.length
    this.unkTokenId = table.unkId
    this.byteIds = new Int32Array(256).fill(-1)
    this.byteOf = new Map()
    proto.pieces.forEach((p, id) => {
      if (p.type !== PieceType.Byte) return
      const m = /^<0x([0-9A-F]{2})>$/.exec(p.piece)
      if (!m) return
      const byte = parseInt(m[1]!, 16)
      this.byteIds[byte] = id
      this.byteOf.set(id, byte)
    })
    const control = (piece: string) => {
      const id = table.pieceToId(piece)
      return proto.pieces[id]?.type === PieceType.Control ? id : null
    }
    const spec = proto.trainerSpec
    const configured = (key: string, fallback: string) => specialTokenText(tokenizerConfig[key] as SpecialToken) ?? fallback
    this.bosTokenId = control(configured('bos_token', spec.bosPiece))
    this.eosTokenId = control(configured('eos_token', spec.eosPiece))
    this.padTokenId = control(configured('pad_token', spec.padPiece))
    const cls = typeof tokenizerConfig.tokenizer_class === 'string' ? tokenizerConfig.tokenizer_class : ''
    this.addBos = typeof tokenizerConfig.add_bos_token === 'boolean' ? tokenizerConfig.add_bos_token : /^(Llama|CodeLlama|Gemma)/.test(cls)
    this.addEos = typeof tokenizerConfig.add_eos_token === 'boolean' ? tokenizerConfig.add_eos_token : /^(T5|MT5|Albert|XLNet|Pegasus|Marian|Bert)/i.test(cls)
    const template = tokenizerConfig.chat_template
    this.chatTemplate = typeof template === 'string' ? template : null
    this.specialMatcher = new TokenMatcher(this.configuredSpecialTokens(tokenizerConfig).map((t) => [t.content, t]))
  }

  /** Special tokens that tokenizer_config.json names and the model knows, with their strip flags. */
  private configuredSpecialTokens(config: Record<string, unknown>): AddedTokenJson[] {
    const found = new Map<string, AddedTokenJson>()
    const add = (entry: unknown, fallbackId?: number) => {
      const content = specialTokenText(entry as SpecialToken)
      if (!content || found.has(content)) return
      const id = this.tokenToId(content) ?? fallbackId
      if (id === undefined || id >= this.vocabSize) return
      const flags = typeof entry === 'object' && entry !== null ? (entry as Partial<AddedTokenJson>) : {}
      found.set(content, { id, content, lstrip: flags.lstrip === true, rstrip: flags.rstrip === true, single_word: false, special: true })
    }
    for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) add(config[key])
    if (Array.isArray(config.additional_special_tokens)) for (const t of config.additional_special_tokens) add(t)
    const decoder = config.added_tokens_decoder
    if (decoder && typeof decoder === 'object') for (const [id, t] of Object.entries(decoder)) add(t, Number(id))
    return [...found.values()]
  }

  /** The normalized text the model segments (▁ for spaces), as SentencePieceProcessor::Normalize. */
  normalize(text: string): string {
    return this.normalizer.normalize(text)
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = []
    if (options.addSpecialTokens && this.addBos && this.bosTokenId !== null) ids.push(this.bosTokenId)
    this.encodePieces(text, ids, null)
    if (options.addSpecialTokens && this.addEos && this.eosTokenId !== null) ids.push(this.eosTokenId)
    return ids
  }

  /** Pieces as SentencePiece's encode(out_type=str) shows them: a run of unknown characters is one piece
   * holding its text (no bos/eos). */
  encodeToPieces(text: string): string[] {
    const pieces: string[] = []
    this.encodePieces(text, [], pieces)
    return pieces
  }

  private encodePieces(text: string, ids: number[], pieces: string[] | null): void {
    if (this.specialMatcher.empty) return this.encodeText(text, ids, pieces)
    for (const section of this.specialMatcher.split(text, 0)) {
      if ('id' in section) {
        ids.push(section.id)
        pieces?.push(this.proto.pieces[section.id]!.piece)
      } else if (section.text.length > 0) {
        this.encodeText(section.text, ids, pieces)
      }
    }
  }

  private encodeText(text: string, ids: number[], pieces: string[] | null): void {
    const segments = this.model.encode(this.normalizer.normalize(text))
    const unk = this.table.unkId
    const byteFallback = this.proto.trainerSpec.byteFallback
    const entries = this.proto.pieces
    let prevUnk = false
    for (const [piece, id] of segments) {
      const isUnk = id === unk
      if (isUnk && byteFallback) {
        for (const byte of Buffer.from(piece, 'utf8')) {
          const byteId = this.byteIds[byte]! >= 0 ? this.byteIds[byte]! : unk
          ids.push(byteId)
          pieces?.push(entries[byteId]!.piece)
        }
      } else if (isUnk && prevUnk) {
        // A run of unknown pieces is one <unk>, as the C++ library merges them.
        if (pieces) pieces[pieces.length - 1] += piece
      } else {
        ids.push(id)
        pieces?.push(piece)
      }
      prevUnk = isUnk
    }
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const pieces = this.proto.pieces
    const addDummyPrefix = this.proto.normalizerSpec.addDummyPrefix
    const unkSurface = this.proto.trainerSpec.unkSurface
    let text = ''
    let bytes: number[] = []
    const flushBytes = () => {
      if (bytes.length === 0) return
      text += decodeUtf8Lossy(bytes)
      bytes = []
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const entry = pieces[id]
      if (!entry) throw new Error(`Invalid id: ${id} (vocabulary size ${pieces.length})`)
      if (entry.type === PieceType.Byte) {
        const byte = this.byteOf.get(id)
        if (byte !== undefined) {
          bytes.push(byte)
          continue
        }
      }
      flushBytes()
      if (entry.type === PieceType.Control) continue
      if (entry.type === PieceType.Unknown) {
        if (!options.skipSpecialTokens) text += unkSurface
        continue
      }
      let piece = entry.piece
      if (i === 0 && addDummyPrefix && piece.startsWith(SPACE_SYMBOL)) piece = piece.slice(1)
      text += piece.replaceAll(SPACE_SYMBOL, ' ')
    }
    flushBytes()
    return text
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.proto.pieces[id]?.piece ?? '')
  }

  tokenToId(token: string): number | undefined {
    const id = this.table.reserved.get(token) ?? this.table.pieces.get(token)
    return id
  }

  createStreamDecoder(options?: DecodeOptions): StreamDecoder {
    return createPrefixStreamDecoder((ids, o) => this.decode(ids, o), options)
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string | null {
    if (!this.chatTemplate) return null
    const piece = (id: number | null) => (id === null ? '' : this.proto.pieces[id]!.piece)
    return renderChatTemplate(this.chatTemplate, messages, options, piece(this.bosTokenId), piece(this.eosTokenId))
  }
}

/** UTF-8 bytes to text, each byte of an invalid sequence becoming U+FFFD (as SentencePiece's decoder). */
export function decodeUtf8Lossy(bytes: readonly number[]): string {
  let out = ''
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    let need: number
    let min: number
    if (b < 0x80) {
      out += String.fromCharCode(b)
      i++
      continue
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1
      min = 0x80
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      min = 0x800
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      min = 0x10000
    } else {
      out += REPLACEMENT
      i++
      continue
    }
    let cp = b & (0x3f >> need)
    let ok = i + need < bytes.length
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) ok = false
      else cp = (cp << 6) | (c & 0x3f)
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += REPLACEMENT
      i++
      continue
    }
    out += String.fromCodePoint(cp)
    i += need + 1
  }
  return out
}
