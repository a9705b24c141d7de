/** Load the tokenizer that a model folder ships. */
import fs from 'node:fs'
import path from 'node:path'
import { HfJsonTokenizer } from './hf-tokenizer-json'
import { SentencePieceTokenizer } from './sentencepiece-tokenizer'
import type { Tokenizer } from './tokenizer'

export type { Tokenizer } from './tokenizer'

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

/** Load the tokenizer of a model folder (tokenizer.json, else spiece.model / tokenizer.model), or of a
 * tokenizer file given directly (its folder's tokenizer_config.json still applies). */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  if (fs.existsSync(dir) && fs.statSync(dir).isFile()) {
    const folder = path.dirname(dir)
    const configFile = path.join(folder, 'tokenizer_config.json')
    const config = fs.existsSync(configFile) ? readJson(configFile) : {}
    if (dir.endsWith('.json')) return new HfJsonTokenizer(readJson(dir), config, path.basename(dir))
    return new SentencePieceTokenizer(fs.readFileSync(dir), config, path.basename(dir))
  }
  if (!fs.existsSync(dir)) throw new Error(`No such folder: ${dir}`)
  const json = path.join(dir, 'tokenizer.json')
  const config = path.join(dir, 'tokenizer_config.json')
  const tokenizerConfig = fs.existsSync(config) ? readJson(config) : {}
  if (fs.existsSync(json)) {
    return new HfJsonTokenizer(readJson(json), tokenizerConfig, 'tokenizer.json')
  }
  const sentencepiece = ['spiece.model', 'tokenizer.model', 'sentencepiece.bpe.model'].find((name) => fs.existsSync(path.join(dir, name)))
  if (sentencepiece) {
    const file = path.join(dir, sentencepiece)
    try {
      return new SentencePieceTokenizer(fs.readFileSync(file), tokenizerConfig, sentencepiece)
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
  }
  throw new Error(`No tokenizer in ${dir}: expected tokenizer.json, spiece.model or tokenizer.model.`)
}
