/** The top-level keys of cfg.yaml: what is trained, on which backbone, and where its files go. */
import { choice, text } from '../field'
import { generateExperimentName } from '../experiment-name'

export const experimentFields = {
  experiment_name: text(generateExperimentName, { minLength: 1 }),
  llm_backbone: text('line-corporation/japanese-large-lm-1.7b-instruction-sft', { minLength: 1 }),
  /** Empty: the app's data folder decides (experiments/<id>/). */
  output_directory: text(''),
  problem_type: choice(['text_causal_language_modeling'], 'text_causal_language_modeling', { origin: '+' }),
}
