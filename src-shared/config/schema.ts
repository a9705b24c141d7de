/**
 * The experiment Config: every section's field specs assembled into one zod schema, its TypeScript type,
 * the defaults, and a flat list of fields (with their paths) for the readers that walk them all.
 * The nesting is cfg.yaml's: top-level keys, then one object per section.
 */
import { z } from 'zod'
import type { FieldSpec, SectionValues, VisibleWhen } from './field'
import { architectureFields } from './sections/architecture'
import { augmentationFields } from './sections/augmentation'
import { datasetFields } from './sections/dataset'
import { environmentFields } from './sections/environment'
import { experimentFields } from './sections/experiment'
import { loggingFields } from './sections/logging'
import { predictionFields } from './sections/prediction'
import { tokenizerFields } from './sections/tokenizer'
import { trainingFields } from './sections/training'

/** YAML sections in H2O LLM Studio's order; 'experiment' stands for the top-level keys. */
export const sectionNames = ['experiment', 'dataset', 'tokenizer', 'augmentation', 'architecture', 'training', 'prediction', 'environment', 'logging'] as const
export type SectionName = (typeof sectionNames)[number]
export type NestedSectionName = Exclude<SectionName, 'experiment'>
/** The sections that are YAML mappings of their own (all but the top-level keys). */
export const nestedSectionNames = sectionNames.filter((s): s is NestedSectionName => s !== 'experiment')

const sectionFields = {
  experiment: experimentFields,
  dataset: datasetFields,
  tokenizer: tokenizerFields,
  augmentation: augmentationFields,
  architecture: architectureFields,
  training: trainingFields,
  prediction: predictionFields,
  environment: environmentFields,
  logging: loggingFields,
} satisfies Record<SectionName, Record<string, FieldSpec<unknown>>>

export type Config = SectionValues<typeof experimentFields> & {
  [S in NestedSectionName]: SectionValues<(typeof sectionFields)[S]>
}

/** What the schema accepts: any key or section may be left out and takes its default. */
export type ConfigInput = Partial<SectionValues<typeof experimentFields>> & {
  [S in NestedSectionName]?: Partial<SectionValues<(typeof sectionFields)[S]>>
}

export interface ConfigField {
  /** 'training.learning_rate'; top-level keys have no section prefix ('experiment_name'). */
  path: string
  section: SectionName
  key: string
  spec: FieldSpec<unknown>
}

export const configFields: readonly ConfigField[] = sectionNames.flatMap((section) =>
  Object.entries(sectionFields[section] as Record<string, FieldSpec<unknown>>).map(([key, spec]) => ({
    path: section === 'experiment' ? key : `${section}.${key}`,
    section,
    key,
    spec,
  })),
)

const fieldsByPath = new Map(configFields.map((field) => [field.path, field]))

export function configField(path: string): ConfigField | undefined {
  return fieldsByPath.get(path)
}

export function fieldsOfSection(section: SectionName): ConfigField[] {
  return configFields.filter((field) => field.section === section)
}

function objectOf(fields: Record<string, FieldSpec<unknown>>) {
  // A missing key takes its default, so a partial config (an old cfg.yaml, a form draft) parses.
  return z.object(Object.fromEntries(Object.entries(fields).map(([key, spec]) => [key, spec.schema.default(spec.defaultValue)])))
}

const { experiment, ...nested } = sectionFields

/**
 * Validates a whole Config; missing keys and sections take their defaults, unknown keys are dropped.
 * Built from the specs at run time, so its static type is stated here (Config out, ConfigInput in).
 */
export const ConfigSchema = objectOf(experiment).extend(
  Object.fromEntries(Object.entries(nested).map(([section, fields]) => [section, objectOf(fields).prefault({})])),
) as unknown as z.ZodType<Config, ConfigInput>

export function defaultConfig(): Config {
  return ConfigSchema.parse({})
}

/** The value at a field path ('training.lora'), or undefined. */
export function getPath(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), config)
}

/** A copy of config with the value at path replaced (no mutation: React state and tests rely on it). */
export function setPath<T>(config: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.')
  const node = (config ?? {}) as Record<string, unknown>
  if (head === undefined) return config
  return { ...node, [head]: rest.length === 0 ? value : setPath(node[head], rest.join('.'), value) } as T
}

export function conditionHolds(condition: VisibleWhen, config: unknown): boolean {
  const value = getPath(config, condition.field)
  if ('oneOf' in condition) return condition.oneOf.includes(value)
  if ('noneOf' in condition) return !condition.noneOf.includes(value)
  return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value !== ''
}

/** Whether the form shows this field for this config: its own condition, and that of what it depends on. */
export function isFieldVisible(field: ConfigField, config: unknown): boolean {
  const condition = field.spec.visibleWhen
  if (!condition) return true
  const parent = configField(condition.field)
  return conditionHolds(condition, config) && (parent === undefined || isFieldVisible(parent, config))
}
