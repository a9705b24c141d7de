/**
 * How one Config parameter is described: its zod type, default, range or choices, the widget that edits
 * it, and when it is shown. Every reader (form generator, YAML, CLI, engine) works from these specs, so a
 * default or a range is written exactly once, in the section files next door.
 * Labels and help texts are not here: they are per language, in ./i18n, keyed by the field's path.
 */
import { z } from 'zod'

/** How the form edits a field. The dataset and column widgets offer the imported datasets' names. */
export type Widget =
  | 'text'
  | 'optionalText'
  | 'textList'
  | 'number'
  | 'integer'
  | 'switch'
  | 'select'
  | 'multiSelect'
  | 'dataset'
  | 'optionalDataset'
  | 'column'
  | 'optionalColumn'
  | 'columns'

/**
 * A field is shown only when another field (by path) has one of some values, none of them, or is a
 * non-empty list. Declarative rather than a function, so it can be listed, tested and serialised.
 */
export type VisibleWhen =
  | { field: string; oneOf: readonly unknown[] }
  | { field: string; noneOf: readonly unknown[] }
  | { field: string; nonEmpty: true }

export interface FieldMeta {
  widget: Widget
  /** 'T': the tutorial's parameter; '+': from the anchor products (H2O LLM Studio and peers). */
  origin: 'T' | '+'
  min?: number
  max?: number
  /** The bound itself is not allowed (e.g. validation_size lies strictly between 0 and 1). */
  minExclusive?: boolean
  maxExclusive?: boolean
  step?: number
  choices?: readonly string[]
  /** null is a legal value (written as the string "None" in H2O-style YAML). */
  nullable?: boolean
  visibleWhen?: VisibleWhen
  /** Other spellings accepted on import, e.g. H2O LLM Studio's names for the same value. */
  aliases?: Readonly<Record<string, string>>
  /** The default is made fresh each time (experiment_name), so there is no single value to show. */
  generatedDefault?: boolean
}

export interface FieldSpec<T> extends FieldMeta {
  schema: z.ZodType<T>
  defaultValue: () => T
}

type Options = Partial<Pick<FieldMeta, 'origin' | 'visibleWhen' | 'aliases'>>
type NumberOptions = Options & Pick<FieldMeta, 'min' | 'max' | 'minExclusive' | 'maxExclusive' | 'step'>

function spec<T>(schema: z.ZodType<T>, defaultValue: T | (() => T), meta: FieldMeta): FieldSpec<T> {
  if (typeof defaultValue === 'function') return { ...meta, schema, defaultValue: defaultValue as () => T, generatedDefault: true }
  return { ...meta, schema, defaultValue: () => structuredClone(defaultValue) }
}

function numberSchema(base: z.ZodNumber, o: NumberOptions): z.ZodNumber {
  let schema = base
  if (o.min !== undefined) schema = o.minExclusive ? schema.gt(o.min) : schema.min(o.min)
  if (o.max !== undefined) schema = o.maxExclusive ? schema.lt(o.max) : schema.max(o.max)
  return schema
}

export function text(defaultValue: string | (() => string), o: Options & { widget?: 'text' | 'column' | 'dataset'; minLength?: number } = {}) {
  const schema = o.minLength ? z.string().min(o.minLength) : z.string()
  return spec<string>(schema, defaultValue, { origin: 'T', ...o, widget: o.widget ?? 'text' })
}

export function optionalText(o: Options & { widget?: 'optionalText' | 'optionalColumn' | 'optionalDataset' } = {}) {
  return spec<string | null>(z.string().min(1).nullable(), null, { origin: '+', ...o, widget: o.widget ?? 'optionalText', nullable: true })
}

export function textList(defaultValue: string[], o: Options & { widget?: 'textList' | 'columns'; minItems?: number } = {}) {
  const schema = z.array(z.string().min(1)).min(o.minItems ?? 0)
  return spec<string[]>(schema, defaultValue, { origin: '+', ...o, widget: o.widget ?? 'textList' })
}

export function number(defaultValue: number, o: NumberOptions) {
  return spec<number>(numberSchema(z.number(), o), defaultValue, { origin: 'T', ...o, widget: 'number' })
}

export function integer(defaultValue: number, o: NumberOptions) {
  return spec<number>(numberSchema(z.number().int(), o), defaultValue, { origin: 'T', step: 1, ...o, widget: 'integer' })
}

export function toggle(defaultValue: boolean, o: Options = {}) {
  return spec<boolean>(z.boolean(), defaultValue, { origin: 'T', ...o, widget: 'switch' })
}

export function choice<const C extends readonly [string, ...string[]]>(choices: C, defaultValue: C[number], o: Options = {}) {
  return spec<C[number]>(z.enum(choices), defaultValue, { origin: 'T', ...o, widget: 'select', choices })
}

export function optionalChoice<const C extends readonly [string, ...string[]]>(choices: C, o: Options = {}) {
  return spec<C[number] | null>(z.enum(choices).nullable(), null, { origin: '+', ...o, widget: 'select', choices, nullable: true })
}

export function multiChoice<const C extends readonly [string, ...string[]]>(choices: C, defaultValue: C[number][], o: Options = {}) {
  return spec<C[number][]>(z.array(z.enum(choices)), defaultValue, { origin: '+', ...o, widget: 'multiSelect', choices })
}

/** The value type of a field spec, and of a whole section of them. */
export type FieldValue<F> = F extends FieldSpec<infer T> ? T : never
export type SectionValues<Fields> = { -readonly [K in keyof Fields]: FieldValue<Fields[K]> }
