/**
 * The HF token: HF_TOKEN wins; the desktop app keeps a typed token encrypted (a stand-in cipher here for
 * Electron's safeStorage) and never as plain text; the API says where the token comes from without returning
 * it, refuses malformed tokens, and refuses to store one where it cannot (the web host). A stored token opens
 * a gated repo at once, without a restart.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createRouterClient } from '@orpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouter } from '../../../src-main/api/router'
import { createApp, type AppServices } from '../../../src-main/app'
import { HubClient } from '../../../src-main/hub/client'
import { createTokenStore, type Cipher } from '../../../src-main/hub/token-store'
import { startHubServer, type HubServer } from '../../helpers/hub-server'
import { makeTempHome } from '../../helpers/temp-home'

/** Not encryption, but not plain text either: enough to prove the file never holds the token as typed. */
const fakeKeychain = (available = true): Cipher => ({
  isEncryptionAvailable: () => available,
  encryptString: (text) => Buffer.from(`enc:${Buffer.from(text).reverse().toString('base64')}`),
  decryptString: (data) => Buffer.from(data.toString().slice(4), 'base64').reverse().toString(),
})

describe('HF token store', () => {
  const home = makeTempHome()
  afterAll(() => home.cleanup())

  it('keeps a token encrypted, lets HF_TOKEN win, forgets it on request', () => {
    const file = path.join(home.dir, 'hf-token.bin')
    const store = createTokenStore({ env: {}, file, cipher: fakeKeychain() })
    expect(store.source()).toBe('none')
    store.set('hf_typed_token_value_1')
    expect(fs.readFileSync(file, 'utf8')).not.toContain('hf_typed_token_value_1')
    expect(store.token()).toBe('hf_typed_token_value_1')
    expect(store.source()).toBe('stored')
    const withEnv = createTokenStore({ env: { HF_TOKEN: 'hf_from_env_xxxxxxxx' }, file, cipher: fakeKeychain() })
    expect(withEnv.token()).toBe('hf_from_env_xxxxxxxx')
    expect(withEnv.source()).toBe('env')
    store.set(null)
    expect(fs.existsSync(file)).toBe(false)
    expect(store.source()).toBe('none')
    const noKeychain = createTokenStore({ env: {}, file, cipher: fakeKeychain(false) })
    expect(noKeychain.canStore()).toBe(false)
    expect(() => noKeychain.set('hf_x')).toThrow(/HF_TOKEN/)
  })
})

describe('hub.setToken and hub.tokenStatus', () => {
  const home = makeTempHome()
  let hub: HubServer
  const apps: AppServices[] = []

  beforeAll(async () => {
    hub = await startHubServer([{ type: 'model', id: 'org/gated', files: [{ path: 'config.json', content: Buffer.from('{"model_type":"llama"}') }], gated: 'manual' }])
  })
  afterAll(async () => {
    for (const app of apps) await app.close()
    await hub?.close()
    home.cleanup()
  })

  function appWith(tokens = createTokenStore({ env: {} }), name = 'data') {
    const app = createApp({ dataDir: path.join(home.dir, name), host: 'electron', startEngine: false, tokens, hub: new HubClient({ hubUrl: hub.url, cacheDir: path.join(home.dir, 'hf'), token: () => tokens.token() }) })
    apps.push(app)
    return createRouterClient(createRouter(app))
  }

  it('desktop: a stored token opens a gated repo at once; the status never carries the token', async () => {
    const api = appWith(createTokenStore({ env: {}, file: path.join(home.dir, 'desktop', 'hf-token.bin'), cipher: fakeKeychain() }), 'desktop')
    await expect(api.hub.modelSummary({ id: 'org/gated' })).rejects.toMatchObject({ data: { code: 'hubUnauthorized' } })
    await expect(api.hub.setToken({ token: 'not-a-token' })).rejects.toMatchObject({ data: { code: 'tokenFormat' } })
    const status = await api.hub.setToken({ token: hub.acceptedToken })
    expect(status).toEqual({ source: 'stored', canStore: true })
    expect(JSON.stringify(await api.hub.tokenStatus())).not.toContain(hub.acceptedToken)
    expect((await api.hub.modelSummary({ id: 'org/gated' })).modelType).toBe('llama')
    expect(await api.hub.setToken({ token: null })).toEqual({ source: 'none', canStore: true })
  })

  it('web host: no keychain, so it says to use HF_TOKEN', async () => {
    const api = appWith(createTokenStore({ env: {} }), 'web')
    expect(await api.hub.tokenStatus()).toEqual({ source: 'none', canStore: false })
    await expect(api.hub.setToken({ token: hub.acceptedToken })).rejects.toMatchObject({ data: { code: 'tokenStoreUnavailable' } })
  })
})
