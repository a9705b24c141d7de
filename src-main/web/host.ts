/**
 * The web host: the built renderer and the API (over WebSocket) on 127.0.0.1 only, for using the app in a
 * browser and for end-to-end tests. Every request needs the per-launch token — in the URL the first time
 * (`/?token=…`), then in an HttpOnly same-site cookie. The WebSocket also checks Origin, so another site
 * open in the same browser cannot drive the API.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { RPCHandler } from '@orpc/server/ws'
import { WebSocketServer } from 'ws'
import type { AppServices } from '../app'
import { createRouter } from '../api/router'
import { DOWNLOAD_PATH, serveExportZip } from './export-download'
import { resolveStaticFile } from './static-files'

export const TOKEN_COOKIE = 'finetune_studio_token'
export const API_PATH = '/api'

/** Kept identical to the meta tag in src-renderer/index.html; sent as a header too. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface WebHostOptions {
  app: AppServices
  rendererDir: string
  port?: number
  /** Fixed only in tests; a real launch makes a fresh random one. */
  token?: string
}

export interface WebHost {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === TOKEN_COOKIE) return value.join('=')
  }
  return undefined
}

function authorized(request: http.IncomingMessage, url: URL, token: string): boolean {
  return sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(request.headers.cookie), token)
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url')
  if (!fs.existsSync(options.rendererDir)) {
    throw new Error(`The renderer is not built (${options.rendererDir} is missing). Run \`npm run build\` first.`)
  }
  const handler = new RPCHandler(createRouter(options.app))
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  let origins: string[] = []

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const baseHeaders = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    }
    if (!authorized(request, url, token)) {
      response.writeHead(401, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
      response.end('Finetune Studio: open the address that `finetune-studio serve` printed; it carries the access token.\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...baseHeaders, Allow: 'GET, HEAD' })
      response.end()
      return
    }
    const download = DOWNLOAD_PATH.exec(url.pathname)
    if (download) {
      void serveExportZip(options.app, download, request, response, baseHeaders)
      return
    }
    const found = resolveStaticFile(options.rendererDir, url.pathname)
    if (!found) {
      response.writeHead(404, baseHeaders)
      response.end()
      return
    }
    const headers: http.OutgoingHttpHeaders = { ...baseHeaders, 'Content-Type': found.contentType }
    if (sameToken(url.searchParams.get('token'), token)) {
      headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    response.writeHead(200, headers)
    if (request.method === 'HEAD') response.end()
    else fs.createReadStream(found.file).pipe(response)
  })

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const originOk = request.headers.origin === undefined || origins.includes(request.headers.origin)
    if (url.pathname !== API_PATH || !authorized(request, url, token) || !originOk) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      void handler.upgrade(ws, { context: {} })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
