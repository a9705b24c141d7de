/**
 * The typed contract over a real WebSocket: the web host serves the router, an oRPC client calls it the
 * way the renderer does, and the token and Origin checks guard the socket.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Contract } from '../../src-shared/contract'
import type { EngineStatus } from '../../src-shared/entities'
import { createApp, type AppServices } from '../../src-main/app'
import { startWebHost, type WebHost } from '../../src-main/web/host'
import { makeTempHome } from '../helpers/temp-home'

type Client = ContractRouterClient<Contract>

function connect(host: WebHost, options: { token?: string; origin?: string } = {}): { client: Client; socket: WebSocket } {
  const token = options.token ?? host.token
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(token)}`, {
    origin: options.origin ?? `http://127.0.0.1:${host.port}`,
  })
  return { client: createORPCClient<Client>(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket })), socket }
}

function upgradeStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.on('open', () => resolve(101))
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    socket.on('error', () => resolve(-1))
  })
}

describe('API contract over the web host WebSocket', () => {
  const home = makeTempHome()
  const rendererDir = path.join(home.dir, 'renderer')
  let app: AppServices
  let host: WebHost

  beforeAll(async () => {
    fs.mkdirSync(rendererDir)
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<div id="root"></div>')
    app = createApp({ dataDir: path.join(home.dir, 'data'), host: 'web' })
    const dataset = app.history.datasets.create({ name: 'rows.jsonl', source: 'file:rows.jsonl', path: '/x', format: 'jsonl', rows: 20, columns: ['prompt', 'response'] })
    app.history.experiments.create({ name: 'exp-a', config: {}, backbone: 'org/a', datasetId: dataset.id })
    app.history.experiments.create({ name: 'exp-b', config: {}, backbone: 'org/b' })
    host = await startWebHost({ app, rendererDir })
  })

  afterAll(async () => {
    await host?.close()
    await app?.close()
    home.cleanup()
  })

  it('round-trips typed calls: app info, experiments (with filter), datasets', async () => {
    const { client, socket } = connect(host)
    const info = await client.system.info()
    expect(info).toMatchObject({ name: 'Finetune Studio', host: 'web', dataDir: path.join(home.dir, 'data') })
    const experiments = await client.experiments.list()
    expect(experiments.map((e) => e.name)).toEqual(['exp-b', 'exp-a'])
    expect(experiments[1]).toMatchObject({ status: 'queued', datasetName: 'rows.jsonl', progress: 0, bestMetric: null })
    expect((await client.experiments.list({ search: 'org/a' })).map((e) => e.name)).toEqual(['exp-a'])
    expect((await client.datasets.list())[0]).toMatchObject({ name: 'rows.jsonl', rows: 20, columns: ['prompt', 'response'] })
    socket.close()
  })

  it('rejects input that breaks the contract before it reaches the handler', async () => {
    const { client, socket } = connect(host)
    await expect(client.experiments.list({ status: ['exploded' as never] })).rejects.toThrow(/Input validation failed/)
    socket.close()
  })

  it('streams the engine status from the real engine child until the client aborts', async () => {
    const { client, socket } = connect(host)
    const controller = new AbortController()
    const seen: EngineStatus[] = []
    for await (const status of await client.system.engine(undefined, { signal: controller.signal })) {
      seen.push(status)
      if (status.state !== 'starting') break
    }
    controller.abort()
    const last = seen.at(-1)!
    expect(last.state).toBe('ready')
    if (last.state === 'ready') {
      expect(['native', 'wasm', 'cpu', 'webgpu', 'tensorflow']).toContain(last.info.backend)
      expect(last.info.tfjsVersion).toMatch(/^\d+\.\d+\.\d+$/)
      expect(last.info.ladder.at(-1)).toMatchObject({ backend: last.info.backend, ok: true })
    }
    // The server side let go of its subscription.
    await expect.poll(() => app.engine.listenerCount('status')).toBe(0)
    socket.close()
  })

  it('refuses a socket without the right token or from another origin', async () => {
    expect(await upgradeStatus(connect(host, { token: 'wrong' }).socket)).toBe(401)
    expect(await upgradeStatus(connect(host, { origin: 'http://evil.example' }).socket)).toBe(401)
    expect(await upgradeStatus(connect(host).socket)).toBe(101)
  })

  it('answers plain HTTP with 401 without the token, and never serves files outside the renderer', async () => {
    const base = `http://127.0.0.1:${host.port}`
    expect((await fetch(`${base}/`)).status).toBe(401)
    const page = await fetch(`${base}/?token=${host.token}`)
    expect(page.status).toBe(200)
    const cookie = page.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/)
    const again = await fetch(`${base}/index.html`, { headers: { cookie: cookie.split(';')[0]! } })
    expect(again.status).toBe(200)
    const traversal = await fetch(`${base}/..%2F..%2Fdata%2Fstudio.db?token=${host.token}`)
    expect(await traversal.text()).toBe('<div id="root"></div>')
  })
})
