/**
 * fetch for the Hub: adds the token (Authorization: Bearer, never logged), turns network failures and
 * error statuses into HubErrors, waits out 429 (Retry-After, up to a cap) and retries 5xx with backoff.
 */
import { hubErrorFor, offlineError, retryAfterSeconds, type HubErrorContext } from './errors'

export interface HubHttpOptions {
  hubUrl: string
  /** The token, or a function read at each request (so a token set later applies at once). */
  token?: string | (() => string | undefined)
  /** Longest Retry-After we wait for before giving up with a rateLimited error. */
  maxRetryAfterSeconds?: number
  /** Retries of 429 and 5xx answers. */
  retries?: number
  /** Base of the exponential backoff for 5xx, ms. */
  backoffMs?: number
  fetch?: typeof fetch
}

export type HubFetch = (url: string, init?: RequestInit & { what?: string; repo?: string }) => Promise<Response>

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    })
  })

export function createHubFetch(options: HubHttpOptions): HubFetch {
  const base = options.fetch ?? fetch
  const retries = options.retries ?? 3
  const backoffMs = options.backoffMs ?? 1000
  const maxWait = options.maxRetryAfterSeconds ?? 30
  return async (url, init = {}) => {
    const { what = url, repo = '', ...requestInit } = init
    const token = typeof options.token === 'function' ? options.token() : options.token
    const context: HubErrorContext = { what, repo, hubUrl: options.hubUrl, hasToken: Boolean(token) }
    const headers = new Headers(requestInit.headers)
    // Only our Hub gets the token: never a redirect target on another host (the fetch spec drops it there too).
    if (token && new URL(url).origin === new URL(options.hubUrl).origin) headers.set('authorization', `Bearer ${token}`)
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await base(url, { ...requestInit, headers })
      } catch (error) {
        if (requestInit.signal?.aborted) throw error
        throw offlineError(what, options.hubUrl, error)
      }
      if (response.ok || response.status === 206 || response.status === 304 || (response.status >= 300 && response.status < 400)) return response
      const retryable = response.status === 429 || response.status >= 500
      if (retryable && attempt < retries) {
        const wait = response.status === 429 ? (retryAfterSeconds(response.headers) ?? 1) * 1000 : backoffMs * 2 ** attempt
        if (wait <= maxWait * 1000) {
          await response.body?.cancel()
          await sleep(wait, requestInit.signal)
          continue
        }
      }
      await response.body?.cancel()
      throw hubErrorFor(response.status, context, response.headers)
    }
  }
}
