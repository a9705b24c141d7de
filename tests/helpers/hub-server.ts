/**
 * A local Hugging Face Hub on 127.0.0.1 (node:http) with the endpoints the hub client and @huggingface/hub
 * call: /api/{models,datasets}/<id>/revision/<rev>, /api/.../tree/<rev> (paginated with Link headers, as the
 * Hub pages them), /<id>/resolve/<rev>/<path> (LFS files redirect to a CDN on another origin, which honours
 * Range). Faults on demand: 401/403 for a gated repo, 404, 429 with Retry-After, 5xx, and a connection cut
 * half-way through a file. Writes as the Hub takes them: create repo, preupload, LFS batch (basic transfer to
 * the CDN origin), NDJSON commit. Every request is logged (method, path, range, whether it carried a token).
 */
import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RepoFile {
  path: string
  content: Buffer
  lfs?: boolean
}

export interface FakeRepo {
  type: 'model' | 'dataset'
  id: string
  files: RepoFile[]
  gated?: 'manual'
  license?: string
}

export interface LoggedRequest {
  server: 'hub' | 'cdn'
  method: string
  path: string
  range: string | null
  authorization: string | null
}

export const gitBlobSha1 = (content: Buffer) => crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
export const sha256 = (content: Buffer) => crypto.createHash('sha256').update(content).digest('hex')
export const etagOf = (file: RepoFile) => (file.lfs ? sha256(file.content) : gitBlobSha1(file.content))

export interface HubServer {
  url: string
  cdnUrl: string
  repos: Map<string, FakeRepo & { sha: string }>
  log: LoggedRequest[]
  /** Commits pushed to the server, in order. */
  commits: { repo: string; title: string }[]
  /** Answer the next n requests for this repo id with this status (429 carries Retry-After). */
  fail(id: string, status: number, times: number, retryAfter?: number): void
  /** Cut the connection after this many bytes the next time this file's CDN URL is fetched. */
  cutOnce(file: RepoFile, afterBytes: number): void
  /** The token that the gated repo accepts. */
  acceptedToken: string
  close(): Promise<void>
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

export async function startHubServer(repos: FakeRepo[]): Promise<HubServer> {
  const byId = new Map(repos.map((r) => [r.id, { ...r, sha: crypto.createHash('sha1').update(r.id).digest('hex') }]))
  const blobs = new Map<string, Buffer>()
  for (const repo of repos) for (const f of repo.files) if (f.lfs) blobs.set(sha256(f.content), f.content)
  const log: LoggedRequest[] = []
  const failures = new Map<string, { status: number; times: number; retryAfter?: number }>()
  const cuts = new Map<string, number>()
  const acceptedToken = 'hf_test_accepted_token_123'
  const commits: { repo: string; title: string }[] = []
  let cdnUrl = ''
  let hubUrl = ''

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }

  const cdn = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x')
    log.push({ server: 'cdn', method: req.method!, path: url.pathname, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null })
    if (req.method === 'PUT' && url.pathname.startsWith('/upload/')) {
      const content = await readBody(req)
      const oid = url.pathname.replace('/upload/', '')
      if (sha256(content) !== oid) return json(res, 400, { error: 'sha256 mismatch' })
      blobs.set(oid, content)
      res.writeHead(200)
      return res.end()
    }
    const oid = url.pathname.replace('/blobs/', '')
    const content = blobs.get(oid)
    if (!content) return json(res, 404, { error: 'no blob' })
    let start = 0
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    if (range) start = Number(range[1])
    const body = content.subarray(start)
    res.writeHead(range ? 206 : 200, {
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    })
    if (req.method === 'HEAD') return res.end()
    const cut = cuts.get(oid)
    if (cut !== undefined && cut < body.length) {
      cuts.delete(oid)
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20))
      return
    }
    res.end(body)
  })

  const readBody = (req: http.IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks)))
    })

  /** Writes (create repo, preupload, LFS batch, commit) as the Hub answers them; they need a token. */
  const write = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== 'POST') return false
    const body = await readBody(req)
    const auth = req.headers.authorization
    const needToken = () => json(res, 401, { error: 'Invalid credentials in Authorization header' })
    if (url.pathname === '/api/repos/create') {
      if (!auth) return (needToken(), true)
      const { name, organization, type } = JSON.parse(body.toString()) as { name: string; organization?: string; type: 'model' | 'dataset' }
      const id = `${organization}/${name}`
      if (byId.has(id)) return (json(res, 409, { error: 'You already created this model repo' }), true)
      byId.set(id, { type, id, files: [], sha: crypto.createHash('sha1').update(`${id}:0`).digest('hex') })
      return (json(res, 200, { url: `${hubUrl}/${id}` }), true)
    }
    const preupload = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/main$/.exec(url.pathname)
    if (preupload) {
      if (!auth) return (needToken(), true)
      const { files } = JSON.parse(body.toString()) as { files: { path: string }[] }
      return (json(res, 200, { files: files.map((f) => ({ path: f.path, uploadMode: /\.(safetensors|bin)$/.test(f.path) ? 'lfs' : 'regular' })) }), true)
    }
    if (/^\/[^/]+\/[^/]+\.git\/info\/lfs\/objects\/batch$/.test(url.pathname)) {
      if (!auth) return (needToken(), true)
      const { objects } = JSON.parse(body.toString()) as { objects: { oid: string; size: number }[] }
      res.writeHead(200, { 'content-type': 'application/vnd.git-lfs+json' })
      res.end(JSON.stringify({ transfer: 'basic', objects: objects.map((o) => ({ ...o, actions: blobs.has(o.oid) ? undefined : { upload: { href: `${cdnUrl}/upload/${o.oid}` } } })) }))
      return true
    }
    const commit = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/main$/.exec(url.pathname)
    if (commit) {
      if (!auth) return (needToken(), true)
      const repo = byId.get(commit[1]!)
      if (!repo) return (json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' }), true)
      const lines = body.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; value: Record<string, string> })
      for (const { key, value } of lines) {
        if (key === 'file') upsert(repo, { path: value.path!, content: Buffer.from(value.content!, 'base64') })
        if (key === 'lfsFile') upsert(repo, { path: value.path!, content: blobs.get(value.oid!)!, lfs: true })
      }
      commits.push({ repo: repo.id, title: (lines[0]?.value.summary as string | undefined) ?? '' })
      repo.sha = crypto.createHash('sha1').update(`${repo.id}:${commits.length}`).digest('hex')
      return (json(res, 200, { commitOid: repo.sha, commitUrl: `${hubUrl}/${repo.id}/commit/${repo.sha}` }), true)
    }
    return false
  }
  const upsert = (repo: FakeRepo, file: RepoFile) => {
    repo.files = [...repo.files.filter((f) => f.path !== file.path), file]
  }

  const hub = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x')
    const authorization = req.headers.authorization ?? null
    log.push({ server: 'hub', method: req.method!, path: url.pathname + url.search, range: req.headers.range ?? null, authorization })
    if (await write(req, res, url)) return
    const api = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/(revision|tree)\/([^/?]+)/.exec(url.pathname)
    const resolve = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname)
    const id = api?.[2] ?? resolve?.[2]
    if (!id) return json(res, 404, { error: 'Not found' })
    const failure = failures.get(id)
    if (failure && failure.times > 0) {
      failure.times--
      return json(res, failure.status, { error: `status ${failure.status}` }, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {})
    }
    const repo = byId.get(id)
    if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' })
    if (repo.gated) {
      if (!authorization) return json(res, 401, { error: 'Access to this repo is restricted' })
      if (authorization !== `Bearer ${acceptedToken}`) return json(res, 403, { error: 'You need to accept the licence' })
    }
    if (api?.[3] === 'revision') {
      return json(res, 200, { id, sha: repo.sha, gated: repo.gated ?? false, cardData: repo.license ? { license: repo.license } : {}, siblings: repo.files.map((f) => ({ rfilename: f.path })) })
    }
    if (api?.[3] === 'tree') {
      // Two entries per page, the next page in a Link header, as the Hub paginates.
      const cursor = Number(url.searchParams.get('cursor') ?? 0)
      const entries = repo.files.map((f) => ({
        type: 'file',
        path: f.path,
        size: f.lfs ? 134 : f.content.length,
        oid: gitBlobSha1(f.lfs ? Buffer.from(`pointer ${sha256(f.content)}`) : f.content),
        ...(f.lfs ? { lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 } } : {}),
      }))
      const next = cursor + 2 < entries.length ? `<http://${req.headers.host}${url.pathname}?recursive=true&expand=false&cursor=${cursor + 2}>; rel="next"` : undefined
      return json(res, 200, entries.slice(cursor, cursor + 2), next ? { link: next } : {})
    }
    const file = repo.files.find((f) => f.path === decodeURIComponent(resolve![4]!))
    if (!file) return json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' })
    const common = { 'x-repo-commit': repo.sha }
    if (file.lfs) {
      res.writeHead(302, { ...common, location: `${cdnUrl}/blobs/${sha256(file.content)}`, 'x-linked-etag': `"${sha256(file.content)}"`, 'x-linked-size': String(file.content.length) })
      return res.end()
    }
    res.writeHead(200, { ...common, etag: `"${gitBlobSha1(file.content)}"`, 'content-length': String(file.content.length) })
    res.end(req.method === 'HEAD' ? undefined : file.content)
  })

  hubUrl = await listen(hub)
  cdnUrl = await listen(cdn)
  return {
    url: hubUrl,
    commits,
    cdnUrl,
    repos: byId,
    log,
    acceptedToken,
    fail: (id, status, times, retryAfter) => failures.set(id, { status, times, retryAfter }),
    cutOnce: (file, afterBytes) => cuts.set(sha256(file.content), afterBytes),
    close: async () => {
      hub.closeAllConnections()
      cdn.closeAllConnections()
      await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => cdn.close(r))])
    },
  }
}
