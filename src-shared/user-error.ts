/**
 * An error whose message is written for the user. `code` names the message in the renderer's catalogs
 * (api.errors.<code>, datasets.errors.<code>, hub.errors.<code>) and `params` fill it in, so the UI can say
 * it in the user's language; the English message stays for logs, the CLI and as the technical detail.
 */
import type { CodedMessage } from './entities'

export type { CodedMessage }

export class UserError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message)
    this.name = 'UserError'
  }
}

/** A UserError's code and parameters as they cross a process boundary (engine → host → renderer). */
export function codedMessageOf(error: unknown): CodedMessage | undefined {
  if (error instanceof UserError) return { code: error.code, params: error.params }
  return undefined
}
