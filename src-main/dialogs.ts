/**
 * The desktop app's native file dialogs, which src-main/electron provides. The web host has none: the
 * browser uploads files and downloads them itself. Paths chosen here stay on the host — the renderer gets
 * a one-use token for a picked file (PickedFiles), never a path it could replace with another.
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { UserError } from './api/errors'

export interface HostDialogs {
  /** A data file the user chose to import, or null when they cancelled. */
  openDataFile(): Promise<string | null>
  /** Where the user chose to save a file (the suggested name pre-filled), or null when they cancelled. */
  saveFile(suggestedName: string): Promise<string | null>
}

export function requireDialogs(dialogs: HostDialogs | null): HostDialogs {
  if (!dialogs) throw new UserError('File dialogs belong to the desktop app; in the browser, upload and download through the page.', 'noFileDialog')
  return dialogs
}

/** Files the user picked in a dialog, by token, until imported (or 10 minutes have passed). */
export class PickedFiles {
  private readonly files = new Map<string, { file: string; at: number }>()
  constructor(private readonly ttlMs = 10 * 60 * 1000) {}

  remember(file: string): { token: string; name: string } {
    const now = Date.now()
    for (const [token, entry] of this.files) if (now - entry.at > this.ttlMs) this.files.delete(token)
    const token = crypto.randomBytes(16).toString('base64url')
    this.files.set(token, { file, at: now })
    return { token, name: path.basename(file) }
  }

  /** The picked file's path, once: a token cannot be replayed or guessed into another file. */
  take(token: string): string {
    const entry = this.files.get(token)
    this.files.delete(token)
    if (!entry || Date.now() - entry.at > this.ttlMs) {
      throw new UserError('That file choice has expired. Choose the file again.', 'pickExpired')
    }
    return entry.file
  }
}
