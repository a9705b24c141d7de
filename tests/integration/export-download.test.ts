/**
 * Downloading an exported folder from the web host: a real demo run (one epoch) in a real engine child
 * writes adapter/, then GET /download/<id>/adapter.zip streams it — only with the token — and Python's
 * zipfile finds adapter_config.json and adapter_model.safetensors byte-identical to the folder.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouterClient } from '@orpc/server'
import { createRouter } from '../../src-main/api/router'
import { createApp, type AppServices } from '../../src-main/app'
import { setupDemo } from '../../src-main/demo'
import { startWebHost, TOKEN_COOKIE, type WebHost } from '../../src-main/web/host'
import { exportDownloadPath } from '../../src-shared/exports'
import { makeTempHome } from '../helpers/temp-home'
import { readZipWithPython } from '../helpers/zip-check'

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex')

describe('exported folders as ZIP downloads', () => {
  const home = makeTempHome()
  let app: AppServices
  let host: WebHost
  let experimentId: string
  let saveTarget: string | null = null

  beforeAll(async () => {
    // The desktop app's save dialog cannot run here: this stand-in answers with the path a test chose.
    app = createApp({ dataDir: home.dir, host: 'web', startEngine: false, dialogs: { openDataFile: async () => null, saveFile: async (name) => saveTarget && path.join(saveTarget, name) } })
    const rendererDir = path.join(home.dir, 'renderer')
    fs.mkdirSync(rendererDir)
    host = await startWebHost({ app, rendererDir })
    const experiment = await setupDemo(app, 1)
    experimentId = experiment.id
    await app.supervisor.idle()
  }, 300_000)
  afterAll(async () => {
    await host?.close()
    await app?.close()
    home.cleanup()
  })

  const get = (url: string, cookie?: string) => fetch(`http://127.0.0.1:${host.port}${url}`, { headers: cookie ? { cookie } : {} })

  it('streams the adapter folder as a ZIP whose files equal the folder byte for byte', async () => {
    expect(app.history.experiments.get(experimentId)).toMatchObject({ status: 'finished', error: null })
    const response = await get(exportDownloadPath(experimentId, 'adapter'), `${TOKEN_COOKIE}=${host.token}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    const name = app.history.experiments.get(experimentId)!.name
    expect(response.headers.get('content-disposition')).toContain(`filename="${name}-adapter.zip"`)
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.length).toBe(Number(response.headers.get('content-length')))
    const file = path.join(home.dir, 'download.zip')
    fs.writeFileSync(file, bytes)

    const adapterDir = path.join(home.dir, 'experiments', experimentId, 'adapter')
    const listing = readZipWithPython(file)
    for (const wanted of ['adapter_config.json', 'adapter_model.safetensors']) {
      const entry = listing.find((e) => e.name === `${name}-adapter/${wanted}`)
      expect(entry, wanted).toBeDefined()
      expect(entry!.sha256).toBe(sha256(fs.readFileSync(path.join(adapterDir, wanted))))
    }
    expect(listing.length).toBe(fs.readdirSync(adapterDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length)
  })

  it('needs the token, and says what is missing for a folder that was not exported', async () => {
    expect((await get(exportDownloadPath(experimentId, 'adapter'))).status).toBe(401)
    const missing = await get(exportDownloadPath(experimentId, 'merged'), `${TOKEN_COOKIE}=${host.token}`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toMatch(/has no merged folder: it is written by full fine-tuning runs/)
    expect((await get(exportDownloadPath('exp_nope', 'adapter'), `${TOKEN_COOKIE}=${host.token}`)).status).toBe(404)
    // Only the two kinds, and only ids: no path can be smuggled in.
    expect((await get(`/download/${experimentId}/..%2F..%2Fstudio.db.zip`, `${TOKEN_COOKIE}=${host.token}`)).status).toBe(404)
  })

  it('desktop: saves the same ZIP where the save dialog says, with byte progress; nothing when cancelled', async () => {
    const client = createRouterClient(createRouter(app))
    const events = async () => {
      const got = []
      for await (const event of await client.experiments.saveExport({ id: experimentId, kind: 'adapter' })) got.push(event)
      return got
    }
    saveTarget = null
    expect(await events()).toEqual([])
    saveTarget = path.join(home.dir, 'saved')
    fs.mkdirSync(saveTarget)
    const saved = await events()
    const last = saved.at(-1)!
    expect(last.bytes).toBe(last.total)
    expect(last.saved).toBe(path.join(saveTarget, `${app.history.experiments.get(experimentId)!.name}-adapter.zip`))
    expect(fs.statSync(last.saved!).size).toBe(last.total)
    expect(fs.readdirSync(saveTarget)).toEqual([path.basename(last.saved!)]) // no .part left behind
    const fromHttp = readZipWithPython(path.join(home.dir, 'download.zip'))
    expect(readZipWithPython(last.saved!).map((e) => e.sha256)).toEqual(fromHttp.map((e) => e.sha256))
  })
})
