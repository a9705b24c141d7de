/** training: loss, optimizer and schedule, LoRA, and which checkpoint is kept. */
import { choice, integer, number, optionalChoice, text, textList, toggle } from '../field'

const withLora = { visibleWhen: { field: 'training.lora', oneOf: [true] } } as const

export const trainingFields = {
  loss_function: choice(['CrossEntropy', 'SampleAveragedCrossEntropy'], 'CrossEntropy', {
    // H2O LLM Studio's name for the tutorial's token-averaged CrossEntropy.
    aliases: { TokenAveragedCrossEntropy: 'CrossEntropy' },
  }),
  optimizer: choice(['Adadelta', 'Adam', 'AdamW', 'AdamW8bit', 'RMSprop', 'SGD'], 'AdamW'),
  learning_rate: number(0.00015, { min: 0, max: 1, minExclusive: true, step: 0.00001 }),
  differential_learning_rate_layers: textList([]),
  differential_learning_rate: number(0.00001, {
    origin: '+',
    min: 0,
    max: 1,
    minExclusive: true,
    step: 0.00001,
    visibleWhen: { field: 'training.differential_learning_rate_layers', nonEmpty: true },
  }),
  batch_size: integer(4, { min: 1, max: 1024 }),
  drop_last_batch: toggle(true),
  epochs: number(50, { min: 0, max: 10000, minExclusive: true, step: 1 }),
  schedule: choice(['Cosine', 'Constant', 'Linear'], 'Cosine'),
  min_learning_rate_ratio: number(0.0, {
    origin: '+',
    min: 0,
    max: 1,
    step: 0.01,
    visibleWhen: { field: 'training.schedule', noneOf: ['Constant'] },
  }),
  warmup_epochs: number(0.0, { min: 0, max: 10000, step: 0.1 }),
  weight_decay: number(0.0, { min: 0, max: 10, step: 0.01 }),
  gradient_clip: number(0.0, { min: 0, max: 1000, step: 0.1 }),
  grad_accumulation: integer(1, { min: 1, max: 1024 }),
  lora: toggle(true),
  lora_r: integer(4, { min: 1, max: 1024, ...withLora }),
  lora_alpha: integer(16, { min: 1, max: 4096, ...withLora }),
  use_rslora: toggle(false, { origin: '+', ...withLora }),
  lora_dropout: number(0.05, { min: 0, max: 1, maxExclusive: true, step: 0.01, ...withLora }),
  /** A comma list of module names (q_proj,v_proj); empty: every linear layer of the backbone. */
  lora_target_modules: text('', withLora),
  lora_unfreeze_layers: textList([], withLora),
  freeze_layers: textList([], { visibleWhen: { field: 'training.lora', oneOf: [false] } }),
  save_best_checkpoint: toggle(false),
  /** When set, supersedes save_best_checkpoint. */
  save_checkpoint: optionalChoice(['last', 'best', 'each_evaluation', 'none'], { aliases: { disable: 'none' } }),
  evaluation_epochs: number(1.0, { min: 0, max: 10000, minExclusive: true, step: 0.1 }),
  evaluate_before_training: toggle(false),
  train_validation_data: toggle(false, { origin: '+' }),
}
