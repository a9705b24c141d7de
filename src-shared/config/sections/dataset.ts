/** dataset: which rows train and validate, which columns hold the texts, and how a sample is assembled. */
import { choice, multiChoice, number, optionalText, text, textList, toggle } from '../field'

const chained = { visibleWhen: { field: 'dataset.parent_id_column', noneOf: [null] } } as const

export const datasetFields = {
  train_dataframe: text('', { widget: 'dataset' }),
  validation_strategy: choice(['automatic', 'custom'], 'automatic'),
  validation_dataframe: optionalText({
    widget: 'optionalDataset',
    origin: 'T',
    visibleWhen: { field: 'dataset.validation_strategy', oneOf: ['custom'] },
  }),
  validation_size: number(0.01, {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    step: 0.01,
    visibleWhen: { field: 'dataset.validation_strategy', oneOf: ['automatic'] },
  }),
  data_sample: number(1.0, { origin: '+', min: 0, max: 1, minExclusive: true, step: 0.05 }),
  data_sample_choice: multiChoice(['train', 'validation'], ['train', 'validation'], {
    // H2O LLM Studio capitalises these.
    aliases: { Train: 'train', Validation: 'validation' },
    visibleWhen: { field: 'dataset.data_sample', noneOf: [1] },
  }),
  system_column: optionalText({ widget: 'optionalColumn' }),
  prompt_column: textList(['instruction'], { widget: 'columns', minItems: 1, origin: 'T' }),
  // Stored as typed, with \n for a line break (as H2O does); the engine decodes escapes.
  prompt_column_separator: text('\\n\\n', { origin: '+' }),
  answer_column: text('output', { widget: 'column', minLength: 1 }),
  parent_id_column: optionalText({ widget: 'optionalColumn' }),
  id_column: optionalText({ widget: 'optionalColumn' }),
  limit_chained_samples: toggle(false, { origin: '+', ...chained }),
  only_last_answer: toggle(false, { origin: '+', ...chained }),
  text_system_start: text('', { origin: '+' }),
  text_prompt_start: text(''),
  text_answer_separator: text(''),
  add_eos_token_to_system: toggle(true, { origin: '+' }),
  add_eos_token_to_prompt: toggle(true),
  add_eos_token_to_answer: toggle(true),
  mask_prompt_labels: toggle(false),
}
