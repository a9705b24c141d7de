/**
 * An API error in the user's language. User-facing errors arrive as BAD_REQUEST with `data.code` and the
 * details (file, row, line, column, …); the catalog has a message per code. In other languages the host's
 * English message is added as the technical detail.
 */
import i18next, { type TFunction } from 'i18next'

export interface ErrorText {
  text: string
  details: string | null
}

interface ErrorData {
  code?: unknown
  file?: unknown
  row?: unknown
  line?: unknown
  column?: unknown
  [key: string]: unknown
}

const SCOPES = ['datasets.errors', 'hub.errors', 'settings.errors']

export function errorText(t: TFunction, error: unknown): ErrorText {
  const message = error instanceof Error ? error.message : String(error)
  const data = (error as { data?: ErrorData } | null)?.data
  const code = typeof data?.code === 'string' ? data.code : undefined
  const scope = code ? SCOPES.find((s) => t(`${s}.${code}`, { defaultValue: '' }) !== '') : undefined
  if (!data || !code || !scope) {
    return { text: t('common.error', { message }), details: null }
  }
  const where = [
    typeof data.file === 'string' ? data.file : undefined,
    typeof data.row === 'number' ? t('datasets.errors.row', { row: data.row }) : undefined,
    typeof data.line === 'number' ? t('datasets.errors.line', { line: data.line }) : undefined,
    typeof data.column === 'string' && typeof data.row === 'number' ? t('datasets.errors.column', { column: data.column }) : undefined,
  ].filter((part): part is string => part !== undefined)
  const text = t(`${scope}.${code}`, data as Record<string, unknown>)
  // The host's message is English: in English it would repeat the text, elsewhere it adds the specifics.
  const details = i18next.language.startsWith('en') ? null : t('datasets.errors.details', { message })
  return { text: where.length > 0 ? `${where.join(', ')}: ${text}` : text, details }
}
