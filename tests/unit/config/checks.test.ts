import { describe, expect, it } from 'vitest'
import { crossFieldIssues, defaultConfig, formatIssue, hasErrors, setPath, validateConfig, type CheckContext, type Config } from '../../../src-shared/config'

function configWith(changes: Record<string, unknown>): Config {
  return Object.entries(changes).reduce<Config>((config, [path, value]) => setPath(config, path, value), {
    ...defaultConfig(),
    // The tutorial's temperature warns on its own; keep it out of the way of the other checks.
    prediction: { ...defaultConfig().prediction, temperature: 0 },
  })
}

function found(changes: Record<string, unknown>, context: CheckContext = {}) {
  return crossFieldIssues(configWith(changes), context).map((i) => ({ severity: i.severity, field: i.field, en: formatIssue(i, 'en'), ja: formatIssue(i, 'ja') }))
}

describe('cross-field checks', () => {
  it('find nothing wrong with the defaults apart from the tutorial’s temperature', () => {
    expect(found({})).toEqual([])
    expect(crossFieldIssues(defaultConfig()).map((i) => i.code)).toEqual(['temperatureWithoutSampling'])
  })

  it('block max_length below max_length_prompt, and warn below prompt + answer', () => {
    const [below] = found({ 'tokenizer.max_length': 100 })
    expect(below).toMatchObject({ severity: 'error', field: 'tokenizer.max_length' })
    expect(below!.en).toBe('max_length (100) is shorter than max_length_prompt (128), so no answer token would fit. Raise max_length to 256 (prompt + answer) or lower max_length_prompt.')
    expect(below!.ja).toContain('max_length を 256')
    const [sum] = found({ 'tokenizer.max_length': 200 })
    expect(sum).toMatchObject({ severity: 'warning', field: 'tokenizer.max_length' })
    expect(sum!.en).toContain('128 + 128 = 256')
  })

  it('block a validation_size that leaves no training rows, when the row count is known', () => {
    expect(found({ 'dataset.validation_size': 0.5 }, { trainRows: 1 })).toMatchObject([
      { severity: 'error', field: 'dataset.validation_size', en: expect.stringContaining('With 1 rows, validation_size takes 1 for validation and leaves none') },
    ])
    expect(found({ 'dataset.validation_size': 0.9999 }, { trainRows: 1000 })[0]!.en).toContain('takes 1000 for validation')
    expect(found({ 'dataset.validation_size': 0.5 }, { trainRows: 1000 })).toEqual([])
    expect(found({ 'dataset.validation_size': 0.99 })).toEqual([]) // rows unknown: nothing to say
  })

  it('block fewer training rows than one batch when the last batch is dropped', () => {
    expect(found({}, { trainRows: 4 })).toMatchObject([{ severity: 'error', field: 'training.batch_size', en: expect.stringContaining('Only 3 training rows') }])
    expect(found({ 'training.drop_last_batch': false }, { trainRows: 4 })).toEqual([])
  })

  it('warn about temperature without sampling, and block beams with sampling', () => {
    expect(found({ 'prediction.temperature': 0.7 })).toMatchObject([
      { severity: 'warning', field: 'prediction.temperature', en: 'temperature (0.7) has no effect while do_sample is off. Turn do_sample on to use it, or set temperature to 0.' },
    ])
    expect(found({ 'prediction.do_sample': true, 'prediction.num_beams': 3 })).toMatchObject([
      { severity: 'error', field: 'prediction.num_beams', en: expect.stringContaining('Set num_beams to 1, or turn do_sample off') },
    ])
    expect(found({ 'prediction.do_sample': true, 'prediction.num_beams': 1, 'prediction.temperature': 0.7 })).toEqual([])
  })

  it('warn when lora_alpha/lora_r is out of range, and only with LoRA on', () => {
    expect(found({ 'training.lora_alpha': 512, 'training.lora_r': 4 })).toMatchObject([
      { severity: 'warning', field: 'training.lora_alpha', en: expect.stringContaining('512/4 = 128 is above 16') },
    ])
    expect(found({ 'training.lora_alpha': 1, 'training.lora_r': 64 })[0]!.en).toContain('below 0.25')
    // rsLoRA scales by alpha/√r: 512/√64 = 64 is too large, though 512/64 = 8 is fine.
    expect(found({ 'training.lora_alpha': 512, 'training.lora_r': 64 })).toEqual([])
    expect(found({ 'training.lora_alpha': 512, 'training.lora_r': 64, 'training.use_rslora': true })[0]!.en).toContain('= 64 is above 16')
    expect(found({ 'training.lora_alpha': 512, 'training.lora': false })).toEqual([])
  })

  it('reject lora_r and lora_alpha outside their ranges at the schema', () => {
    const result = validateConfig(configWith({ 'training.lora_r': 0, 'training.lora_alpha': 10000 }))
    expect(hasErrors(result.issues)).toBe(true)
    expect(result.issues.map((i) => formatIssue(i))).toEqual([
      'training.lora_r is 0; set it to 1 or more.',
      'training.lora_alpha is 10000; set it to 4096 or less.',
    ])
  })

  it('block the OpenAI API metric without an endpoint, only when Settings says there is none', () => {
    expect(found({ 'prediction.metric': 'OpenAI API' }, { openAiEndpointConfigured: false })).toMatchObject([
      { severity: 'error', field: 'prediction.metric', en: expect.stringContaining('Set the endpoint, model and API key in Settings') },
    ])
    expect(found({ 'prediction.metric': 'OpenAI API' }, { openAiEndpointConfigured: true })).toEqual([])
  })

  it('block a custom validation strategy without data, a missing training dataset, min above max length', () => {
    expect(found({ 'dataset.validation_strategy': 'custom' })[0]).toMatchObject({ severity: 'error', field: 'dataset.validation_dataframe' })
    expect(found({}, { requireTrainData: true })[0]).toMatchObject({ severity: 'error', field: 'dataset.train_dataframe' })
    expect(found({ 'dataset.train_dataframe': 'ds_1' }, { requireTrainData: true })).toEqual([])
    expect(found({ 'prediction.min_length_inference': 300 })[0]).toMatchObject({ severity: 'error', field: 'prediction.min_length_inference' })
  })

  it('name a section or a whole config that is not an object', () => {
    expect(validateConfig({ training: 3 }).issues.map((i) => formatIssue(i))).toEqual(['Section training must be a mapping of keys (one "key: value" per line), but it is 3.'])
    expect(validateConfig(null).issues.map((i) => i.code)).toEqual(['yamlNotMapping'])
  })

  it('warn when warm-up lasts the whole training', () => {
    expect(found({ 'training.warmup_epochs': 2, 'training.epochs': 1 })[0]).toMatchObject({ severity: 'warning', field: 'training.warmup_epochs' })
  })

  it('leave warnings non-blocking and errors blocking', () => {
    expect(hasErrors(crossFieldIssues(defaultConfig()))).toBe(false)
    expect(hasErrors(crossFieldIssues(configWith({ 'tokenizer.max_length': 10 })))).toBe(true)
  })
})
