/**
 * An API error in the user's language. User-facing errors arrive as BAD_REQUEST with `data.code` and the
 * details (file, row, line, column, …); the catalog has a message per code. In other languages the host's
 * English message is added as the technical detail.
 */
import i18next, { type TFunction } from 'i18next'
import type { CodedMessage } from '../../../src-shared/entities'
import { UserError } from '../../../src-shared/user-error'

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

export const ERROR_SCOPES = ['api.errors', 'run.errors', 'datasets.errors', 'hub.errors', 'chat.errors', 'settings.errors']

/**
 * The error's message in the user's language when the host gave it a code (its parameters make it complete,
 * so the English original is left out), else the host's own words.
 */
export function errorMessage(t: TFunction, error: unknown): string {
  const { text, details } = errorText(t, error)
  return details === null && text === t('common.error', { message: rawMessage(error) }) ? rawMessage(error) : text
}

/**
 * Why an experiment failed or stopped. The engine's English text is the most specific (it quotes the config
 * check or the file), so English shows it as it is; other languages show the coded message translated.
 */
export function runErrorMessage(t: TFunction, error: string | null, errorCode: CodedMessage | null | undefined): string | null {
  if (error === null) return null
  if (!errorCode || i18next.language.startsWith('en')) return error
  return errorMessage(t, Object.assign(new Error(error), { data: { code: errorCode.code, ...errorCode.params } }))
}

function rawMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function errorText(t: TFunction, error: unknown): ErrorText {
  const message = rawMessage(error)
  // Over the API the code travels in `data`; a UserError thrown in the renderer (shared code) carries it itself.
  const data = error instanceof UserError ? { code: error.code, ...error.params } : (error as { data?: ErrorData } | null)?.data
  const code = typeof data?.code === 'string' ? data.code : undefined
  const scope = code ? ERROR_SCOPES.find((s) => t(`${s}.${code}`, { defaultValue: '' }) !== '') : undefined
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
