/**
 * A model folder's config.json and generation_config.json, read as Hugging Face writes them.
 * Each family reads the fields it needs from the raw object (no library defaults where the file has a value).
 */
import fs from 'node:fs'
import path from 'node:path'

export type RawConfig = Record<string, unknown>

export function readJsonFile(file: string, what: string): RawConfig {
  if (!fs.existsSync(file)) throw new Error(`Missing file: ${file} (${what}).`)
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
    return parsed as RawConfig
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

export function readModelConfig(dir: string): RawConfig {
  if (!fs.existsSync(dir)) throw new Error(`Missing model folder: ${dir}.`)
  return readJsonFile(path.join(dir, 'config.json'), 'the model configuration')
}

/** What generation_config.json can say about generation (transformers' names → ours). */
export interface GenerationDefaults {
  bosTokenId: number | null
  eosTokenIds: number[]
  padTokenId: number | null
  maxNewTokens?: number
  doSample?: boolean
  temperature?: number
  topK?: number
  topP?: number
  repetitionPenalty?: number
  numBeams?: number
}

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number')
  return []
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

/** generation_config.json when present, else the token ids of config.json (as transformers falls back). */
export function readGenerationDefaults(dir: string, config: RawConfig): GenerationDefaults {
  const file = path.join(dir, 'generation_config.json')
  const g = fs.existsSync(file) ? readJsonFile(file, 'generation defaults') : {}
  const pick = (key: string) => (key in g ? g[key] : config[key])
  const out: GenerationDefaults = {
    bosTokenId: num(pick('bos_token_id')) ?? null,
    eosTokenIds: ids(pick('eos_token_id')),
    padTokenId: num(pick('pad_token_id')) ?? null,
  }
  const maxNew = num(g.max_new_tokens)
  if (maxNew !== undefined) out.maxNewTokens = maxNew
  if (typeof g.do_sample === 'boolean') out.doSample = g.do_sample
  for (const [key, name] of [
    ['temperature', 'temperature'],
    ['top_k', 'topK'],
    ['top_p', 'topP'],
    ['repetition_penalty', 'repetitionPenalty'],
    ['num_beams', 'numBeams'],
  ] as const) {
    const v = num(g[key])
    if (v !== undefined) out[name] = v
  }
  return out
}

/** Typed accessors that name the field and the file when a value is missing or of the wrong kind. */
export class ConfigReader {
  constructor(
    private readonly raw: RawConfig,
    private readonly where: string,
  ) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null
  }

  number(key: string, fallback?: number): number {
    const v = this.raw[key]
    if (typeof v === 'number') return v
    if ((v === undefined || v === null) && fallback !== undefined) return fallback
    throw new Error(`${this.where}: "${key}" must be a number, found ${JSON.stringify(v)}.`)
  }

  string(key: string, fallback?: string): string {
    const v = this.raw[key]
    if (typeof v === 'string') return v
    if ((v === undefined || v === null) && fallback !== undefined) return fallback
    throw new Error(`${this.where}: "${key}" must be a string, found ${JSON.stringify(v)}.`)
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.raw[key]
    if (typeof v === 'boolean') return v
    if (v === undefined || v === null) return fallback
    throw new Error(`${this.where}: "${key}" must be true or false, found ${JSON.stringify(v)}.`)
  }

  object(key: string): RawConfig | null {
    const v = this.raw[key]
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as RawConfig) : null
  }
}
