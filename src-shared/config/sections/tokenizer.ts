/** tokenizer: how long the token sequences may be, and how batches are padded. */
import { integer, number, toggle } from '../field'

const TOKENS = { min: 1, max: 32768, step: 32 }

export const tokenizerFields = {
  max_length_prompt: integer(128, TOKENS),
  max_length_answer: integer(128, TOKENS),
  max_length: integer(256, TOKENS),
  padding_quantile: number(1.0, { min: 0, max: 1, minExclusive: true, step: 0.05 }),
  add_prompt_answer_tokens: toggle(false, { origin: '+' }),
}
