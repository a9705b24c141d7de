/**
 * The OpenAI-compatible endpoint of the "OpenAI API" metric (Settings): base URL and model kept in
 * judge-endpoint.json in the data folder; the API key never in plain text. OPENAI_API_KEY in the
 * environment wins, always (the web host has nothing else); the desktop app can also keep a key the user
 * typed, encrypted with the OS keychain (Electron's safeStorage, passed in as a Cipher like the HF token's).
 * The key is never logged, never sent back over the API, never written to SQLite or cfg.yaml: it reaches
 * only the engine child's train request.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { JudgeEndpointStatus } from '../../src-shared/settings'
import type { Cipher } from '../hub/token-store'

export const JUDGE_KEY_ENV = 'OPENAI_API_KEY'

const StoredEndpoint = z.object({ baseUrl: z.string(), model: z.string() })

export interface JudgeEndpointSettings {
  baseUrl: string
  model: string
  /** The key to keep; undefined keeps the one kept, null forgets it. */
  apiKey?: string | null
}

export interface JudgeEndpointStore {
  status(): JudgeEndpointStatus
  set(settings: JudgeEndpointSettings): JudgeEndpointStatus
  /** What the engine child needs, or null while no base URL and model are set. */
  endpoint(): { baseUrl: string; model: string; apiKey: string } | null
}

export function createJudgeEndpointStore(options: { dir: string; env?: NodeJS.ProcessEnv; cipher?: Cipher }): JudgeEndpointStore {
  const env = options.env ?? process.env
  const settingsFile = path.join(options.dir, 'judge-endpoint.json')
  const keyFile = path.join(options.dir, 'openai-key.bin')
  const { cipher } = options
  const envKey = () => env[JUDGE_KEY_ENV]?.trim() || undefined
  const canStoreKey = () => Boolean(cipher?.isEncryptionAvailable())
  const storedKey = (): string | undefined => {
    if (!cipher || !fs.existsSync(keyFile)) return undefined
    try {
      return cipher.decryptString(fs.readFileSync(keyFile)) || undefined
    } catch {
      return undefined // a keychain change makes an old file unreadable: as if none was kept
    }
  }
  const stored = () => {
    if (!fs.existsSync(settingsFile)) return { baseUrl: '', model: '' }
    const parsed = StoredEndpoint.safeParse(JSON.parse(fs.readFileSync(settingsFile, 'utf8')))
    return parsed.success ? parsed.data : { baseUrl: '', model: '' }
  }
  const status = (): JudgeEndpointStatus => {
    const { baseUrl, model } = stored()
    const keySource = envKey() ? 'env' : storedKey() ? 'stored' : 'none'
    return { baseUrl, model, keySource, canStoreKey: canStoreKey(), configured: baseUrl !== '' && model !== '' }
  }
  return {
    status,
    set({ baseUrl, model, apiKey }) {
      const url = baseUrl.trim()
      if (url !== '' && !/^https?:\/\/[^\s/]+/.test(url)) throw new Error(`"${url}" is not an http(s) address: enter the endpoint's base URL, such as https://api.openai.com/v1.`)
      if (apiKey !== undefined && (!canStoreKey() || !cipher)) throw new Error(`This app cannot keep an API key: set ${JUDGE_KEY_ENV} in the environment before starting it.`)
      fs.mkdirSync(options.dir, { recursive: true })
      fs.writeFileSync(settingsFile, JSON.stringify({ baseUrl: url, model: model.trim() }, null, 2))
      if (apiKey !== undefined && cipher) {
        if (apiKey === null || apiKey.trim() === '') fs.rmSync(keyFile, { force: true })
        else fs.writeFileSync(keyFile, cipher.encryptString(apiKey.trim()), { mode: 0o600 })
      }
      return status()
    },
    endpoint() {
      const { baseUrl, model } = stored()
      if (baseUrl === '' || model === '') return null
      return { baseUrl, model, apiKey: envKey() ?? storedKey() ?? '' }
    },
  }
}
