// The defaults, written out from /work/shared/CONFIG.md's text (not from the schema), so a changed default
// in the schema fails here until CONFIG.md agrees.
import { describe, expect, it } from 'vitest'
import { configFields, defaultConfig, getPath } from '../../../src-shared/config'

const fromConfigMd: Record<string, unknown> = {
  llm_backbone: 'line-corporation/japanese-large-lm-1.7b-instruction-sft',
  problem_type: 'text_causal_language_modeling',
  'dataset.validation_strategy': 'automatic',
  'dataset.validation_dataframe': null,
  'dataset.validation_size': 0.01,
  'dataset.data_sample': 1.0,
  'dataset.data_sample_choice': ['train', 'validation'],
  'dataset.prompt_column': ['instruction'],
  'dataset.prompt_column_separator': '\\n\\n', // as H2O stores it: backslash-n, decoded by the engine
  'dataset.answer_column': 'output',
  'dataset.text_prompt_start': '',
  'dataset.text_answer_separator': '',
  'dataset.add_eos_token_to_prompt': true,
  'dataset.add_eos_token_to_answer': true,
  'dataset.mask_prompt_labels': false,
  'tokenizer.max_length_prompt': 128,
  'tokenizer.max_length_answer': 128,
  'tokenizer.max_length': 256,
  'tokenizer.padding_quantile': 1.0,
  'augmentation.token_mask_probability': 0.0,
  'augmentation.neftune_noise_alpha': 0,
  'architecture.backbone_dtype': 'float16',
  'architecture.gradient_checkpointing': false,
  'architecture.force_embedding_gradients': false,
  'architecture.intermediate_dropout': 0,
  'training.loss_function': 'CrossEntropy',
  'training.optimizer': 'AdamW',
  'training.learning_rate': 0.00015,
  'training.batch_size': 4,
  'training.drop_last_batch': true,
  'training.epochs': 50,
  'training.schedule': 'Cosine',
  'training.warmup_epochs': 0.0,
  'training.weight_decay': 0.0,
  'training.gradient_clip': 0.0,
  'training.grad_accumulation': 1,
  'training.lora': true,
  'training.lora_r': 4,
  'training.lora_alpha': 16,
  'training.lora_dropout': 0.05,
  'training.lora_target_modules': '',
  'training.save_best_checkpoint': false,
  'training.evaluation_epochs': 1.0,
  'training.evaluate_before_training': false,
  'prediction.metric': 'BLEU',
  'prediction.min_length_inference': 2,
  'prediction.max_length_inference': 256,
  'prediction.batch_size_inference': 0,
  'prediction.do_sample': false,
  'prediction.num_beams': 2,
  'prediction.temperature': 0.3,
  'prediction.repetition_penalty': 1.2,
  'environment.mixed_precision': true,
  'environment.number_of_workers': 4,
  'environment.seed': 1,
  'environment.backend': 'auto',
}

describe('Config defaults', () => {
  const config = defaultConfig()

  it.each(Object.entries(fromConfigMd))('%s defaults to CONFIG.md’s value', (path, expected) => {
    expect(getPath(config, path)).toEqual(expected)
  })

  it('lists every parameter of CONFIG.md as a field', () => {
    const paths = new Set(configFields.map((f) => f.path))
    // The [+] parameters CONFIG.md names without a default value.
    const plus = [
      'dataset.system_column', 'dataset.parent_id_column', 'dataset.id_column', 'dataset.limit_chained_samples',
      'dataset.only_last_answer', 'dataset.text_system_start', 'dataset.add_eos_token_to_system',
      'tokenizer.add_prompt_answer_tokens', 'augmentation.skip_parent_probability', 'augmentation.random_parent_probability',
      'architecture.pretrained_weights', 'training.differential_learning_rate_layers', 'training.differential_learning_rate',
      'training.min_learning_rate_ratio', 'training.use_rslora', 'training.lora_unfreeze_layers', 'training.freeze_layers',
      'training.save_checkpoint', 'training.train_validation_data', 'prediction.metric_gpt_model', 'prediction.metric_gpt_template',
      'prediction.max_time', 'prediction.top_k', 'prediction.top_p', 'prediction.stop_tokens', 'prediction.num_history',
      'logging.log_step_size', 'experiment_name', 'output_directory', 'dataset.train_dataframe',
    ]
    for (const path of [...Object.keys(fromConfigMd), ...plus]) expect(paths, path).toContain(path)
  })

  it('generates a fresh, non-empty experiment name each time', () => {
    const names = new Set(Array.from({ length: 20 }, () => defaultConfig().experiment_name))
    expect(names.size).toBeGreaterThan(15)
    for (const name of names) expect(name).toMatch(/^[a-z]+-[a-z]+-[0-9a-z]{4}$/)
  })

  it('offers the choices CONFIG.md lists', () => {
    const choices = (path: string) => configFields.find((f) => f.path === path)?.spec.choices
    expect(choices('architecture.backbone_dtype')).toEqual(['float32', 'float16', 'bfloat16', 'int8', 'int4'])
    expect(choices('training.optimizer')).toEqual(expect.arrayContaining(['Adadelta', 'Adam', 'AdamW', 'AdamW8bit', 'RMSprop', 'SGD']))
    expect(choices('training.schedule')).toEqual(['Cosine', 'Constant', 'Linear'])
    expect(choices('training.loss_function')).toEqual(['CrossEntropy', 'SampleAveragedCrossEntropy'])
    expect(choices('prediction.metric')).toEqual(['BLEU', 'Perplexity', 'OpenAI API'])
  })
})
