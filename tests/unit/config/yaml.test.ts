import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import { describe, expect, it } from 'vitest'
import { configFields, configFromYaml, configToYaml, defaultConfig, formatIssue, sectionNames } from '../../../src-shared/config'
import { everyFieldChanged } from './config-samples'

const fixture = fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/config/h2o-causal-lm.cfg.yaml'), 'utf8')
const load = (text: string) => configFromYaml(text)
const codes = (text: string) => load(text).issues.map((i) => `${i.severity} ${i.code} ${i.field}`)

describe('cfg.yaml export', () => {
  it('writes the top-level keys, then the sections in H2O LLM Studio order, fields in schema order', () => {
    const document = YAML.parse(configToYaml(defaultConfig())) as Record<string, unknown>
    const topLevel = configFields.filter((f) => f.section === 'experiment').map((f) => f.key)
    expect(Object.keys(document)).toEqual([...topLevel, ...sectionNames.filter((s) => s !== 'experiment')])
    expect(Object.keys(document.training as object)).toEqual(configFields.filter((f) => f.section === 'training').map((f) => f.key))
  })

  it('writes null as "None", as H2O LLM Studio does', () => {
    expect(configToYaml(defaultConfig())).toMatch(/^ {2}validation_dataframe: None$/m)
  })
})

describe('cfg.yaml round trip', () => {
  it('is lossless for the defaults', () => {
    const config = defaultConfig()
    const back = load(configToYaml(config))
    expect(back.config).toEqual(config)
    expect(back.issues).toEqual([])
  })

  it('is lossless when every field differs from its default, tricky strings included', () => {
    const config = everyFieldChanged()
    const changeable = configFields.filter((f) => f.spec.choices?.length !== 1) // problem_type has one choice
    for (const field of changeable) expect(config, field.path).not.toHaveProperty(field.path.split('.'), field.spec.defaultValue())
    const back = load(configToYaml(config))
    expect(back.issues.filter((i) => i.severity !== 'note')).toEqual([])
    expect(back.config).toEqual(config)
  })
})

describe('an H2O LLM Studio cfg.yaml', () => {
  const loaded = load(fixture)

  it('loads without errors or warnings', () => {
    expect(loaded.issues.filter((i) => i.severity !== 'note').map((i) => formatIssue(i))).toEqual([])
  })

  it('reads its values, undoing H2O’s spellings', () => {
    const { config } = loaded
    expect(config.experiment_name).toBe('dolly-ja-rinna-lora')
    expect(config.llm_backbone).toBe('rinna/japanese-gpt-neox-3.6b')
    expect(config.dataset.system_column).toBeNull() // "None"
    expect(config.dataset.validation_dataframe).toBeNull()
    expect(config.dataset.data_sample_choice).toEqual(['train', 'validation']) // Train, Validation
    expect(config.dataset.prompt_column).toEqual(['instruction', 'input'])
    expect(config.dataset.prompt_column_separator).toBe('\\n\\n')
    expect(config.dataset.text_prompt_start).toBe('<|prompt|>')
    expect(config.training.loss_function).toBe('CrossEntropy') // TokenAveragedCrossEntropy
    expect(config.training.differential_learning_rate).toBe(0.00001) // PyYAML's 1.0e-05
    expect(config.training.lora_target_modules).toBe('q_proj,k_proj,v_proj,o_proj')
    expect(config.training.save_checkpoint).toBe('last')
    expect(config.environment.seed).toBe(-1)
    expect(config.architecture.backbone_dtype).toBe('bfloat16')
  })

  it('notes each H2O key that means nothing here, and the renamed loss', () => {
    const notes = loaded.issues.filter((i) => i.severity === 'note').map((i) => i.field)
    for (const key of [
      'architecture.pretrained', 'dataset.personalize', 'dataset.chatbot_name', 'dataset.chatbot_author', 'tokenizer.tokenizer_kwargs',
      'tokenizer.use_fast', 'environment.compile_model', 'environment.gpus', 'environment.deepspeed_method', 'environment.use_deepspeed',
      'environment.trust_remote_code', 'environment.huggingface_branch', 'logging.neptune_project', 'logging.logger', 'training.use_dora',
    ]) expect(notes, key).toContain(key)
    const rename = loaded.issues.find((i) => i.code === 'aliasRead')!
    expect(formatIssue(rename)).toBe('training.loss_function: "TokenAveragedCrossEntropy" was read as CrossEntropy, its name in Finetune Studio.')
    // The capitalised data_sample_choice is only a spelling: no note for it.
    expect(notes).not.toContain('dataset.data_sample_choice')
  })

  it('lists the keys the file lacks, which take defaults', () => {
    const missing = loaded.issues.find((i) => i.code === 'missingKeys')!
    expect(String(missing.params.fields).split(', ')).toEqual(['training.use_rslora', 'training.save_best_checkpoint', 'environment.backend'])
  })
})

describe('problems in a cfg.yaml', () => {
  it('warns about unknown keys, naming them, and loads the rest', () => {
    const text = fixture.replace('training:\n', 'training:\n  lora_rank: 8\n').replace(/^experiment_name:/m, 'my_own_key: 1\nexperiment_name:')
    const result = load(text)
    const warnings = result.issues.filter((i) => i.severity === 'warning')
    expect(warnings.map((i) => i.field).sort()).toEqual(['my_own_key', 'training.lora_rank'])
    expect(formatIssue(warnings.find((w) => w.field === 'training.lora_rank')!)).toContain('Unknown key training.lora_rank')
    expect(result.config.training.lora_r).toBe(8)
  })

  it('reports a wrong type as an error naming the key, the value and what is expected', () => {
    const text = fixture.replace('  batch_size: 2\n', '  batch_size: two\n').replace('  lora: true\n', '  lora: maybe\n').replace('optimizer: AdamW', 'optimizer: Lion')
    const result = load(text)
    const errors = result.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i))
    expect(errors).toEqual([
      'training.batch_size is "two", but it must be a whole number from 1 to 1024.',
      'training.lora is "maybe", but it must be true or false.',
      'training.optimizer is "Lion", but it must be one of: Adadelta, Adam, AdamW, AdamW8bit, RMSprop, SGD.',
    ])
    expect(result.config.training.batch_size).toBe(defaultConfig().training.batch_size)
  })

  it('reports values out of range with what to change', () => {
    const errors = codes('tokenizer:\n  padding_quantile: 0\ntraining:\n  lora_r: 5000\n')
    expect(errors).toContain('error tooSmallExclusive tokenizer.padding_quantile')
    expect(errors).toContain('error tooBig training.lora_r')
  })

  it('reports broken YAML, a file that is not a mapping, and a section that is not one', () => {
    expect(codes('training: [unclosed\n')).toEqual(['error yamlSyntax '])
    expect(codes('- just\n- a list\n')).toEqual(['error yamlNotMapping '])
    expect(codes('training: 3\n')).toContain('error sectionNotMapping training')
  })

  it('reads H2O’s "GPT" metric as the OpenAI API judge, with a note', () => {
    const loaded = load('prediction:\n  metric: GPT\n')
    expect(loaded.config.prediction.metric).toBe('OpenAI API')
    expect(loaded.issues.map((i) => i.code)).toContain('aliasRead')
  })

  it('reads 1e-4, which YAML 1.1 leaves a string, as a number', () => {
    expect(load('training:\n  learning_rate: 1e-4\n').config.training.learning_rate).toBe(0.0001)
  })
})
