/**
 * SentencePiece's ModelProto (sentencepiece_model.proto), read with our own wire-format reader. Only the
 * fields that encoding and decoding need; proto2 defaults apply where a field is absent.
 */
import { readFields, WireType } from './protobuf'

export const enum PieceType {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}

export const enum ModelType {
  Unigram = 1,
  Bpe = 2,
  Word = 3,
  Char = 4,
}

export interface SentencePieceEntry {
  piece: string
  score: number
  type: PieceType
}

export interface TrainerSpec {
  modelType: ModelType
  vocabSize: number
  treatWhitespaceAsSuffix: boolean
  byteFallback: boolean
  unkId: number
  bosId: number
  eosId: number
  padId: number
  unkPiece: string
  bosPiece: string
  eosPiece: string
  padPiece: string
  unkSurface: string
}

export interface NormalizerSpec {
  name: string
  precompiledCharsmap: Uint8Array
  addDummyPrefix: boolean
  removeExtraWhitespaces: boolean
  escapeWhitespaces: boolean
}

export interface ModelProto {
  pieces: SentencePieceEntry[]
  trainerSpec: TrainerSpec
  normalizerSpec: NormalizerSpec
  denormalizerSpec: NormalizerSpec | null
}

const utf8 = new TextDecoder('utf-8')

function readPiece(bytes: Uint8Array): SentencePieceEntry {
  const entry: SentencePieceEntry = { piece: '', score: 0, type: PieceType.Normal }
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === WireType.LengthDelimited) entry.piece = utf8.decode(f.bytes)
    else if (f.field === 2 && f.wire === WireType.Fixed32) entry.score = f.float
    else if (f.field === 3 && f.wire === WireType.Varint) entry.type = f.int as PieceType
  }
  return entry
}

function readTrainerSpec(bytes: Uint8Array | null): TrainerSpec {
  const spec: TrainerSpec = {
    modelType: ModelType.Unigram,
    vocabSize: 8000,
    treatWhitespaceAsSuffix: false,
    byteFallback: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
    unkSurface: ' \u2047 ',
  }
  if (!bytes) return spec
  for (const f of readFields(bytes)) {
    const text = () => utf8.decode(f.bytes)
    switch (f.field) {
      case 3: spec.modelType = f.int as ModelType; break
      case 4: spec.vocabSize = f.int; break
      case 24: spec.treatWhitespaceAsSuffix = f.int !== 0; break
      case 35: spec.byteFallback = f.int !== 0; break
      case 40: spec.unkId = f.int; break
      case 41: spec.bosId = f.int; break
      case 42: spec.eosId = f.int; break
      case 43: spec.padId = f.int; break
      case 44: spec.unkSurface = text(); break
      case 45: spec.unkPiece = text(); break
      case 46: spec.bosPiece = text(); break
      case 47: spec.eosPiece = text(); break
      case 48: spec.padPiece = text(); break
      default: break
    }
  }
  return spec
}

function readNormalizerSpec(bytes: Uint8Array | null): NormalizerSpec {
  const spec: NormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  }
  if (!bytes) return spec
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1: spec.name = utf8.decode(f.bytes); break
      case 2: spec.precompiledCharsmap = f.bytes; break
      case 3: spec.addDummyPrefix = f.int !== 0; break
      case 4: spec.removeExtraWhitespaces = f.int !== 0; break
      case 5: spec.escapeWhitespaces = f.int !== 0; break
      default: break
    }
  }
  return spec
}

export function parseModelProto(buffer: Uint8Array): ModelProto {
  const pieces: SentencePieceEntry[] = []
  let trainer: Uint8Array | null = null
  let normalizer: Uint8Array | null = null
  let denormalizer: Uint8Array | null = null
  for (const f of readFields(buffer)) {
    if (f.wire !== WireType.LengthDelimited) continue
    if (f.field === 1) pieces.push(readPiece(f.bytes))
    else if (f.field === 2) trainer = f.bytes
    else if (f.field === 3) normalizer = f.bytes
    else if (f.field === 5) denormalizer = f.bytes
  }
  if (pieces.length === 0) throw new Error('not a SentencePiece model: it has no pieces')
  const denormalizerSpec = denormalizer ? readNormalizerSpec(denormalizer) : null
  return {
    pieces,
    trainerSpec: readTrainerSpec(trainer),
    normalizerSpec: readNormalizerSpec(normalizer),
    denormalizerSpec: denormalizerSpec && denormalizerSpec.precompiledCharsmap.length > 0 ? denormalizerSpec : null,
  }
}
