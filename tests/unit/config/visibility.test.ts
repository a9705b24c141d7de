import { describe, expect, it } from 'vitest'
import { configField, defaultConfig, isFieldVisible, setPath } from '../../../src-shared/config'

const visible = (path: string, changes: Record<string, unknown> = {}) => {
  const config = Object.entries(changes).reduce((c, [p, v]) => setPath(c, p, v), defaultConfig())
  return isFieldVisible(configField(path)!, config)
}

describe('Config field visibility', () => {
  it('shows validation_dataframe only for the custom strategy, validation_size only for automatic', () => {
    expect(visible('dataset.validation_dataframe')).toBe(false)
    expect(visible('dataset.validation_dataframe', { 'dataset.validation_strategy': 'custom' })).toBe(true)
    expect(visible('dataset.validation_size')).toBe(true)
    expect(visible('dataset.validation_size', { 'dataset.validation_strategy': 'custom' })).toBe(false)
  })

  it('shows LoRA fields only with lora on, and freeze_layers only without it', () => {
    for (const path of ['training.lora_r', 'training.lora_alpha', 'training.lora_dropout', 'training.lora_target_modules', 'training.use_rslora']) {
      expect(visible(path), path).toBe(true)
      expect(visible(path, { 'training.lora': false }), path).toBe(false)
    }
    expect(visible('training.freeze_layers')).toBe(false)
    expect(visible('training.freeze_layers', { 'training.lora': false })).toBe(true)
  })

  it('shows the judge settings only for the OpenAI API metric, sampling knobs only with do_sample', () => {
    expect(visible('prediction.metric_gpt_model')).toBe(false)
    expect(visible('prediction.metric_gpt_model', { 'prediction.metric': 'OpenAI API' })).toBe(true)
    expect(visible('prediction.top_p')).toBe(false)
    expect(visible('prediction.top_p', { 'prediction.do_sample': true })).toBe(true)
    // temperature stays visible: the warning about it without sampling must be seen next to it.
    expect(visible('prediction.temperature')).toBe(true)
  })

  it('shows chain settings only with a parent id column', () => {
    expect(visible('augmentation.skip_parent_probability')).toBe(false)
    expect(visible('augmentation.skip_parent_probability', { 'dataset.parent_id_column': 'parent_id' })).toBe(true)
    expect(visible('training.differential_learning_rate', { 'training.differential_learning_rate_layers': ['lm_head'] })).toBe(true)
    expect(visible('training.differential_learning_rate')).toBe(false)
  })
})
