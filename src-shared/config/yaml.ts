/**
 * cfg.yaml in H2O LLM Studio's causal-LM layout: the top-level keys, then one mapping per section, keys in
 * schema order. Written and read as YAML 1.1, as H2O's PyYAML does (so "yes" stays a string there too).
 * Reading is forgiving the way the product promises: H2O's quirks load (null written "None", capitalised
 * choices, its loss names, keys without meaning here), unknown keys warn, and a value of the wrong type is
 * an error naming key, value and what is expected, while the rest of the file still loads.
 */
import YAML from 'yaml'
import { isIgnoredH2oKey } from './h2o-keys'
import type { ConfigIssue } from './issues'
import { issue, showValue } from './issues'
import { configField, configFields, defaultConfig, fieldsOfSection, getPath, nestedSectionNames, sectionNames, setPath, type Config, type ConfigField } from './schema'
import { fieldIssue } from './validate'

const YAML_VERSION = '1.1'
/** H2O LLM Studio writes null as the string "None". */
const H2O_NULL = 'None'

function toYamlValue(value: unknown): unknown {
  return value === null ? H2O_NULL : value
}

export function configToYaml(config: Config): string {
  const document: Record<string, unknown> = {}
  for (const section of sectionNames) {
    const entries = fieldsOfSection(section).map((field) => [field.key, toYamlValue(getPath(config, field.path))] as const)
    if (section === 'experiment') Object.assign(document, Object.fromEntries(entries))
    else document[section] = Object.fromEntries(entries)
  }
  return YAML.stringify(document, { version: YAML_VERSION, lineWidth: 0 })
}

export interface YamlImport {
  /** Always a whole Config: keys that were missing or wrong keep their defaults (see issues). */
  config: Config
  issues: ConfigIssue[]
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Undo H2O's spellings and PyYAML's habits for one field, noting renames a user may not expect. */
function normalise(field: ConfigField, raw: unknown, issues: ConfigIssue[]): unknown {
  const { spec } = field
  if (raw === H2O_NULL && spec.nullable) return null
  if ((spec.widget === 'textList' || spec.widget === 'columns') && typeof raw === 'string') return raw === '' ? [] : [raw]
  if ((spec.widget === 'number' || spec.widget === 'integer') && typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) {
    return Number(raw) // PyYAML (YAML 1.1) reads 1e-4 as a string
  }
  const aliases = spec.aliases
  if (!aliases) return raw
  const rename = (value: unknown) => {
    const alias = typeof value === 'string' ? aliases[value] : undefined
    if (alias === undefined) return value
    if (alias.toLowerCase() !== String(value).toLowerCase()) issues.push(issue('note', field.path, 'aliasRead', { value: showValue(value), alias }))
    return alias
  }
  return Array.isArray(raw) ? raw.map(rename) : rename(raw)
}

function readField(config: Config, field: ConfigField, raw: unknown, issues: ConfigIssue[]): Config {
  const value = normalise(field, raw, issues)
  const parsed = field.spec.schema.safeParse(value)
  if (parsed.success) return setPath(config, field.path, parsed.data)
  const [first] = parsed.error.issues
  if (first) issues.push(fieldIssue(field.path, raw, first))
  return config
}

export function configFromYaml(text: string): YamlImport {
  let config = defaultConfig()
  const issues: ConfigIssue[] = []
  const document = YAML.parseDocument(text, { version: YAML_VERSION })
  const [syntaxError] = document.errors
  if (syntaxError) return { config, issues: [issue('error', '', 'yamlSyntax', { detail: syntaxError.message.split('\n')[0] ?? '' })] }
  const root: unknown = document.toJS()
  if (!isMapping(root)) return { config, issues: [issue('error', '', 'yamlNotMapping', { value: showValue(root) })] }

  const seen = new Set<string>()
  const visit = (path: string, key: string, raw: unknown) => {
    const field = configField(path)
    if (field) {
      seen.add(path)
      config = readField(config, field, raw, issues)
    } else if (isIgnoredH2oKey(key)) issues.push(issue('note', path, 'ignoredKey'))
    else issues.push(issue('warning', path, 'unknownKey'))
  }
  for (const [key, raw] of Object.entries(root)) {
    const section = nestedSectionNames.find((name) => name === key)
    if (section === undefined) {
      visit(key, key, raw)
    } else if (!isMapping(raw)) {
      issues.push(issue('error', key, 'sectionNotMapping', { value: showValue(raw) }))
      fieldsOfSection(section).forEach((field) => seen.add(field.path)) // reported already, not "missing"
    } else {
      for (const [inner, value] of Object.entries(raw)) visit(`${key}.${inner}`, inner, value)
    }
  }

  // experiment_name is generated when absent: not worth a note.
  const missing = configFields.filter((field) => !seen.has(field.path) && field.path !== 'experiment_name').map((field) => field.path)
  if (missing.length > 0) issues.push(issue('note', '', 'missingKeys', { fields: missing.join(', ') }))
  return { config, issues }
}
