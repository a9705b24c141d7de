/**
 * Where the Hugging Face token comes from. HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) in the environment wins,
 * always (the web host has nothing else). The desktop app can also keep a token the user typed, encrypted
 * with the OS keychain through Electron's safeStorage, which src-main/electron passes in as a Cipher: this
 * module stays plain Node. The token is never logged and never sent back over the API.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface Cipher {
  isEncryptionAvailable(): boolean
  encryptString(text: string): Buffer
  decryptString(data: Buffer): string
}

export type TokenSource = 'env' | 'stored' | 'none'

export interface TokenStore {
  token(): string | undefined
  source(): TokenSource
  /** Whether set() can keep a token here (desktop app with a working keychain). */
  canStore(): boolean
  set(token: string | null): void
}

function envToken(env: NodeJS.ProcessEnv): string | undefined {
  const value = (env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN)?.trim()
  return value ? value : undefined
}

export function createTokenStore(options: { env?: NodeJS.ProcessEnv; file?: string; cipher?: Cipher } = {}): TokenStore {
  const env = options.env ?? process.env
  const { file, cipher } = options
  const canStore = () => Boolean(file && cipher?.isEncryptionAvailable())
  const stored = (): string | undefined => {
    if (!file || !cipher || !fs.existsSync(file)) return undefined
    try {
      return cipher.decryptString(fs.readFileSync(file)) || undefined
    } catch {
      return undefined // a keychain change makes an old file unreadable: as if none was stored
    }
  }
  return {
    token: () => envToken(env) ?? stored(),
    source: () => (envToken(env) ? 'env' : stored() ? 'stored' : 'none'),
    canStore,
    set(token) {
      if (!file || !cipher || !canStore()) throw new Error('This app cannot keep a token: set HF_TOKEN in the environment instead.')
      if (token === null) {
        fs.rmSync(file, { force: true })
        return
      }
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, cipher.encryptString(token), { mode: 0o600 })
    },
  }
}
