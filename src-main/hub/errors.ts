/**
 * What went wrong talking to the Hugging Face Hub, in words that say what to do. The token never appears
 * in a message. `code` lets the UI translate (hubOffline, hubUnauthorized, hubGated, hubNotFound,
 * hubRateLimited, hubServer, hubIntegrity).
 */
import { UserError } from '../api/errors'

export type HubErrorKind = 'offline' | 'unauthorized' | 'gated' | 'notFound' | 'rateLimited' | 'server' | 'integrity'

export class HubError extends UserError {
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    params: Record<string, string | number> = {},
  ) {
    super(message, `hub${kind[0]!.toUpperCase()}${kind.slice(1)}`, params)
    this.name = 'HubError'
  }
}

export interface HubErrorContext {
  /** "org/name", or "org/name: path/to/file". */
  what: string
  repo: string
  hubUrl: string
  hasToken: boolean
}

export function hubErrorFor(status: number, context: HubErrorContext, headers: Headers): HubError {
  const { what, repo, hubUrl, hasToken } = context
  const page = `${hubUrl}/${repo}`
  if (status === 401 && hasToken) {
    return new HubError(
      'unauthorized',
      `${what}: the Hub refused the token (401). The repository may be gated or private: accept its licence at ${page} with the account the token belongs to, or create a new read token at ${hubUrl}/settings/tokens and set HF_TOKEN to it.`,
      { repo, status },
    )
  }
  if (status === 401) {
    return new HubError(
      'unauthorized',
      `${what}: the Hub needs a login for this repository (401): it is gated or private. Accept its licence at ${page}, create a read token at ${hubUrl}/settings/tokens, and set it as HF_TOKEN (desktop app: Settings).`,
      { repo, status },
    )
  }
  if (status === 403) {
    return new HubError(
      'gated',
      `${what}: access is not granted yet (403). This repository is gated: open ${page}, accept its licence (some are reviewed by the authors), then try again with the same account's token.`,
      { repo, status },
    )
  }
  if (status === 404) {
    const code = headers.get('x-error-code')
    const detail = code === 'EntryNotFound' ? 'the file does not exist in this revision' : code === 'RevisionNotFound' ? 'the revision does not exist' : 'the repository does not exist'
    return new HubError(
      'notFound',
      `${what}: not found on the Hub (404: ${detail}). Check the spelling (org/name) and the revision${hasToken ? '' : '; private repositories also answer 404 without a token (set HF_TOKEN)'}.`,
      { repo, status },
    )
  }
  if (status === 429) {
    const wait = retryAfterSeconds(headers) ?? 60
    return new HubError('rateLimited', `${what}: the Hub is limiting requests (429). Wait ${wait} s and try again${hasToken ? '' : '; a token (HF_TOKEN) raises the limit'}.`, {
      repo,
      status,
      retryAfter: wait,
    })
  }
  return new HubError(
    'server',
    `${what}: the Hub answered ${status} (a problem on its side). Try again in a few minutes; https://status.huggingface.co shows outages.`,
    { repo, status },
  )
}

export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

export function offlineError(what: string, hubUrl: string, cause: unknown): HubError {
  const reason = cause instanceof Error ? ((cause.cause as { code?: string } | undefined)?.code ?? cause.message) : String(cause)
  return new HubError(
    'offline',
    `${what}: cannot reach ${hubUrl} (${reason}). Check the internet connection or proxy settings; models and datasets already downloaded still work offline.`,
    { hubUrl, reason },
  )
}
