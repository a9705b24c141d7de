/** Configs for tests: one where every field differs from its default, derived from the field specs. */
import { configFields, defaultConfig, getPath, setPath, type Config, type ConfigField } from '../../../src-shared/config'

/** A legal value other than the default, for any field, from its metadata alone. */
export function otherValue(field: ConfigField, current: unknown): unknown {
  const { spec } = field
  switch (spec.widget) {
    case 'switch':
      return !current
    case 'select': {
      const choices = spec.choices ?? []
      return choices.find((c) => c !== current) ?? (spec.nullable ? null : current)
    }
    case 'multiSelect':
      return (spec.choices ?? []).slice(0, 1)
    case 'integer':
    case 'number': {
      const value = Number(current)
      const max = spec.max ?? value + 10
      if (spec.widget === 'integer') return value + 1 <= max ? value + 1 : value - 1
      // Halfway to the top, or halfway to the bottom when the default is the top (data_sample = 1).
      return value < max ? (value + max) / 2 : (value + (spec.min ?? 0)) / 2
    }
    case 'textList':
    case 'columns':
      return [`${field.key}_a`, 'yes'] // "yes" would turn into true in careless YAML 1.1 writers
    default:
      // Strings YAML would misread if written plain: booleans, numbers, comment and mapping markers.
      return `${field.key}: #1 \\n true`
  }
}

export function everyFieldChanged(): Config {
  return configFields.reduce((config, field) => setPath(config, field.path, otherValue(field, getPath(config, field.path))), defaultConfig())
}

