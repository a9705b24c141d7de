import { describe, expect, it } from 'vitest'
import { configField, configFields, configMessages, fieldText, issueCodes, sectionNames, type ConfigLanguage } from '../../../src-shared/config'

const languages = Object.keys(configMessages) as ConfigLanguage[]

/** Every {label, help} leaf of a fields catalog, by path. */
function catalogPaths(node: unknown, prefix = ''): string[] {
  if (node && typeof node === 'object' && 'label' in node && 'help' in node) return [prefix]
  return Object.entries(node as Record<string, unknown>).flatMap(([key, child]) => catalogPaths(child, prefix ? `${prefix}.${key}` : key))
}

describe('Config field metadata', () => {
  it('has a label and a help text in English and Japanese for every field', () => {
    expect(languages).toEqual(['en', 'ja'])
    for (const field of configFields) {
      for (const language of languages) {
        const text = fieldText(field.path, language)
        expect(text?.label.trim(), `${language} label of ${field.path}`).toBeTruthy()
        expect(text?.help.trim(), `${language} help of ${field.path}`).toBeTruthy()
      }
    }
  })

  it('writes Japanese help in Japanese, not copied English', () => {
    for (const field of configFields) {
      const ja = fieldText(field.path, 'ja')!
      expect(ja.help, field.path).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/)
      expect(ja.help).not.toEqual(fieldText(field.path, 'en')!.help)
    }
  })

  it('has no catalog entries for fields that do not exist', () => {
    for (const language of languages) {
      for (const path of catalogPaths(configMessages[language].fields)) expect(configField(path), `${language}: ${path}`).toBeDefined()
    }
  })

  it('titles every section and words every issue code in both languages', () => {
    for (const language of languages) {
      for (const section of sectionNames) expect(configMessages[language].sections[section].title.trim()).toBeTruthy()
      for (const code of issueCodes) expect(configMessages[language].issues[code].trim(), `${language} ${code}`).toBeTruthy()
    }
  })

  it('gives each field a widget that fits its default, and ranges that contain it', () => {
    for (const { path, spec } of configFields) {
      const value = spec.defaultValue()
      expect(spec.schema.safeParse(value).success, path).toBe(true)
      if (spec.widget === 'number' || spec.widget === 'integer') {
        expect(typeof spec.min, `${path} min`).toBe('number')
        expect(typeof spec.max, `${path} max`).toBe('number')
      }
      if (spec.widget === 'select' || spec.widget === 'multiSelect') expect(spec.choices?.length, path).toBeGreaterThan(0)
    }
  })

  it('makes visibility depend only on fields that exist', () => {
    for (const { path, spec } of configFields) {
      if (spec.visibleWhen) expect(configField(spec.visibleWhen.field), `${path} depends on ${spec.visibleWhen.field}`).toBeDefined()
    }
  })
})
