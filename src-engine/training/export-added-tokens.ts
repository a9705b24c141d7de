/**
 * merged/ after tokenizer.add_prompt_answer_tokens: the files that say the vocabulary grew, as
 * transformers' save_pretrained writes them after add_special_tokens + resize_token_embeddings —
 * config.json vocab_size, tokenizer.json added_tokens (special: true, so decoding can skip them) and
 * tokenizer_config.json additional_special_tokens. The grown weights themselves are export-merged.ts's.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { AddedToken } from '../tokenizers/added-special-tokens'

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

/** Rewrites outDir's config and tokenizer files; returns what could not be done (said in the log). */
export function writeAddedTokens(outDir: string, added: readonly AddedToken[], vocabSize: number): string[] {
  const notes: string[] = []
  const configFile = path.join(outDir, 'config.json')
  writeJson(configFile, { ...readJson(configFile), vocab_size: vocabSize })
  const tokenizerFile = path.join(outDir, 'tokenizer.json')
  if (fs.existsSync(tokenizerFile)) {
    const json = readJson(tokenizerFile)
    const existing = (json.added_tokens ?? []) as { id: number }[]
    const fresh = added.filter((t) => t.isNew && !existing.some((e) => e.id === t.id))
    const entries = fresh.map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    writeJson(tokenizerFile, { ...json, added_tokens: [...existing, ...entries] })
  } else if (added.some((t) => t.isNew)) {
    notes.push('merged/ has no tokenizer.json (the backbone ships a SentencePiece model only): the added prompt/answer tokens are not in its tokenizer files.')
  }
  const tokenizerConfigFile = path.join(outDir, 'tokenizer_config.json')
  if (fs.existsSync(tokenizerConfigFile)) {
    const config = readJson(tokenizerConfigFile)
    const special = Array.isArray(config.additional_special_tokens) ? (config.additional_special_tokens as string[]) : []
    writeJson(tokenizerConfigFile, { ...config, additional_special_tokens: [...new Set([...special, ...added.map((t) => t.content)])] })
  }
  return notes
}
