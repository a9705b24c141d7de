/**
 * tokenizer.add_prompt_answer_tokens, as H2O LLM Studio: text_prompt_start and text_answer_separator
 * (when non-empty) become special tokens of the tokenizer, and the backbone's token embedding (and an
 * untied head) grows by the new rows. The embedding tables are then trained (force_embedding_gradients'
 * way): the new rows would otherwise keep their initial value.
 */
import { growTable, isOutputHead, isTokenEmbedding } from '../models/grow-vocabulary'
import { AddedSpecialTokensTokenizer } from '../tokenizers/added-special-tokens'
import type { Tokenizer } from '../tokenizers'
import type { TrainableSet } from './trainable'

/** The tokenizer with the markers added (new ids from the model's `embeddingRows`), or the base when none. */
export function withPromptAnswerTokens(base: Tokenizer, markers: readonly string[], embeddingRows: number): Tokenizer {
  if (markers.length === 0) return base
  if (base.vocabSize > embeddingRows) throw new Error(`tokenizer.add_prompt_answer_tokens: the tokenizer has ${base.vocabSize} tokens but the model's config.json vocab_size is ${embeddingRows}; new tokens would not match embedding rows.`)
  return new AddedSpecialTokensTokenizer(base, markers, embeddingRows)
}

/** New embedding rows that a tokenizer made by withPromptAnswerTokens needs (0 for any other). */
export function addedRowCount(tokenizer: Tokenizer): number {
  return tokenizer instanceof AddedSpecialTokensTokenizer ? tokenizer.newTokenCount : 0
}

/** The set with the token embedding grown by `extra` rows and an untied head by `extra` outputs. */
export function growVocabulary(set: TrainableSet, extra: number): TrainableSet {
  if (extra === 0) return set
  const inner = set.embeddingFactory ?? ((_: string, table) => table)
  return {
    ...set,
    embeddingFactory: (name, table) => {
      if (!isTokenEmbedding(name)) return inner(name, table)
      const grown = growTable(table, extra, 0)
      table.dispose()
      return inner(name, grown)
    },
    factory: (weights) => {
      if (!isOutputHead(weights.name)) return set.factory(weights)
      const grown = growTable(weights.weight, extra, 1)
      weights.weight.dispose()
      return set.factory({ ...weights, weight: grown })
    },
  }
}
