/**
 * Validation of a whole Config, as the form, the API and the CLI run it: the schema first (each field's
 * type and range), then, on a Config that passed, the cross-field checks.
 */
import type { z } from 'zod'
import type { CheckContext } from './checks'
import { crossFieldIssues } from './checks'
import type { FieldSpec } from './field'
import type { ConfigIssue, IssueCode } from './issues'
import { issue, showValue } from './issues'
import { ConfigSchema, configField, getPath, type Config } from './schema'

const expectedByWidget: Record<FieldSpec<unknown>['widget'], IssueCode> = {
  text: 'expectedText',
  optionalText: 'expectedText',
  dataset: 'expectedText',
  optionalDataset: 'expectedText',
  column: 'expectedText',
  optionalColumn: 'expectedText',
  textList: 'expectedTextList',
  columns: 'expectedTextList',
  number: 'expectedNumber',
  integer: 'expectedInteger',
  switch: 'expectedBoolean',
  select: 'expectedChoice',
  multiSelect: 'expectedChoices',
}

/** What a field accepts, as message parameters: its range or its choices. */
export function expectation(spec: FieldSpec<unknown>): { code: IssueCode; params: Record<string, string | number> } {
  const params: Record<string, string | number> = {}
  if (spec.min !== undefined) params.min = spec.min
  if (spec.max !== undefined) params.max = spec.max
  if (spec.choices) params.choices = spec.choices.join(', ')
  return { code: expectedByWidget[spec.widget], params }
}

/** The issue for one value that a field's schema rejected; `value` is what was given. */
export function fieldIssue(path: string, value: unknown, zodIssue: z.core.$ZodIssue): ConfigIssue {
  const field = configField(path)
  const shown = { value: showValue(value) }
  if (field) {
    const { min, max, minExclusive, maxExclusive } = field.spec
    if (zodIssue.code === 'too_small' && zodIssue.origin === 'number') {
      return issue('error', path, minExclusive ? 'tooSmallExclusive' : 'tooSmall', { ...shown, min: min ?? Number(zodIssue.minimum) })
    }
    if (zodIssue.code === 'too_big' && zodIssue.origin === 'number') {
      return issue('error', path, maxExclusive ? 'tooBigExclusive' : 'tooBig', { ...shown, max: max ?? Number(zodIssue.maximum) })
    }
    if (zodIssue.code === 'too_small') return issue('error', path, 'empty', shown)
    const expected = expectation(field.spec)
    return issue('error', path, expected.code, { ...shown, ...expected.params })
  }
  // Not a field: the whole config, or one of its sections, is not an object.
  return issue('error', path, path === '' ? 'yamlNotMapping' : 'sectionNotMapping', shown)
}

/** Map a zod issue path (['dataset', 'prompt_column', 0]) to the field it belongs to. */
function owningField(path: readonly PropertyKey[]): string {
  const keys = path.map(String)
  for (let n = keys.length; n > 0; n--) {
    const candidate = keys.slice(0, n).join('.')
    if (configField(candidate)) return candidate
  }
  return keys.join('.')
}

export interface Validation {
  /** The parsed Config (defaults filled in), or null when the schema rejected something. */
  config: Config | null
  issues: ConfigIssue[]
}

export function validateConfig(input: unknown, context: CheckContext = {}): Validation {
  const parsed = ConfigSchema.safeParse(input)
  if (!parsed.success) {
    const seen = new Set<string>()
    const issues = parsed.error.issues.flatMap((zodIssue) => {
      const path = owningField(zodIssue.path)
      if (seen.has(path)) return []
      seen.add(path)
      return [fieldIssue(path, getPath(input, path), zodIssue)]
    })
    return { config: null, issues }
  }
  return { config: parsed.data, issues: crossFieldIssues(parsed.data, context) }
}
