/**
 * The Config's words in English and Japanese: section titles, field labels and help, issue messages.
 * The renderer merges `configMessages.en` / `.ja` into its i18next catalogs; the CLI formats English.
 */
import type { ConfigIssue } from '../issues'
import { fieldsEn } from './fields-en'
import { fieldsJa } from './fields-ja'
import { issuesEn, sectionsEn } from './messages-en'
import { issuesJa, sectionsJa } from './messages-ja'

export const configMessages = {
  en: { sections: sectionsEn, fields: fieldsEn, issues: issuesEn },
  ja: { sections: sectionsJa, fields: fieldsJa, issues: issuesJa },
}
export type ConfigLanguage = keyof typeof configMessages

/** Fill {{name}} placeholders the way i18next does, so one template serves both. */
export function interpolate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

export function formatIssue(issue: ConfigIssue, language: ConfigLanguage = 'en'): string {
  return interpolate(configMessages[language].issues[issue.code], issue.params)
}

/** A field's label and help by path ('training.lora_r'), or undefined when the catalog lacks it. */
export function fieldText(path: string, language: ConfigLanguage = 'en'): { label: string; help: string } | undefined {
  const node = path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), configMessages[language].fields)
  const texts = node as { label?: unknown; help?: unknown } | undefined
  return typeof texts?.label === 'string' && typeof texts.help === 'string' ? { label: texts.label, help: texts.help } : undefined
}
