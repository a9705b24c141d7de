/** prediction: how validation answers are generated and scored. */
import { choice, integer, number, text, toggle } from '../field'

const OPENAI = 'OpenAI API'
const sampling = { visibleWhen: { field: 'prediction.do_sample', oneOf: [true] } } as const
const judge = { visibleWhen: { field: 'prediction.metric', oneOf: [OPENAI] } } as const

export const predictionFields = {
  // H2O LLM Studio calls the LLM judge "GPT".
  metric: choice(['BLEU', 'Perplexity', OPENAI], 'BLEU', { aliases: { GPT: OPENAI } }),
  metric_gpt_model: text('gpt-4o-mini', { origin: '+', ...judge }),
  metric_gpt_template: choice(['general', 'mt-bench'], 'general', { origin: '+', ...judge }),
  min_length_inference: integer(2, { min: 0, max: 32768 }),
  max_length_inference: integer(256, { min: 1, max: 32768, step: 16 }),
  max_time: number(0, { origin: '+', min: 0, max: 86400, step: 1 }),
  batch_size_inference: integer(0, { min: 0, max: 1024 }),
  do_sample: toggle(false),
  num_beams: integer(2, { min: 1, max: 16 }),
  temperature: number(0.3, { min: 0, max: 2, step: 0.05 }),
  top_k: integer(0, { origin: '+', min: 0, max: 1000, ...sampling }),
  top_p: number(1.0, { origin: '+', min: 0, max: 1, minExclusive: true, step: 0.05, ...sampling }),
  repetition_penalty: number(1.2, { min: 1, max: 10, step: 0.05 }),
  /** A comma list of strings that end an answer. */
  stop_tokens: text('', { origin: '+' }),
  num_history: integer(4, { origin: '+', min: 0, max: 64 }),
}
