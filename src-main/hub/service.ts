/**
 * The Hub as the API serves it: a client built from the environment (HF_TOKEN, HF_ENDPOINT, HF_HUB_CACHE /
 * HF_HOME), downloads turned into progress streams, dataset files imported after download, and backbone
 * names resolved to downloaded snapshots.
 */
import fs from 'node:fs'
import path from 'node:path'
import { readDataFile } from '../../src-engine/data'
import type { DatasetDetail } from '../../src-shared/datasets'
import type { DownloadProgress } from '../../src-shared/hub'
import type { DatasetService } from '../datasets/service'
import { DEMO_BACKBONE_ID } from '../../src-shared/demo'
import { packageRoot } from '../package-root'
import { cachedSnapshot, hubCacheDir } from './cache'
import { HUB_URL, HubClient } from './client'
import { createTokenStore, type TokenStore } from './token-store'

/** The Hub client of the app: endpoint and cache from the environment, the token from the store (env first). */
export function hubClientFromEnv(env: NodeJS.ProcessEnv = process.env, tokens: TokenStore = createTokenStore({ env })): HubClient {
  return new HubClient({ hubUrl: env.HF_ENDPOINT || HUB_URL, token: () => tokens.token(), cacheDir: hubCacheDir(env) })
}

/**
 * A folder as given, the bundled demo backbone, or the downloaded snapshot of a Hub model id
 * ("org/name" or "org/name@revision").
 */
export function resolveModelDir(client: HubClient, backbone: string): string {
  if (backbone.trim() === DEMO_BACKBONE_ID) return path.join(packageRoot(), 'resources', 'demo-backbone')
  if (fs.existsSync(backbone)) return path.resolve(backbone)
  const [id, revision] = backbone.trim().split('@')
  return (id && cachedSnapshot(client.cacheDir, 'model', id, revision ?? 'main')) ?? backbone
}

/** Run a task that emits events, yielding them as they come; the generator returns the task's result. */
export async function* streamEvents<E, T>(run: (emit: (event: E) => void) => Promise<T>): AsyncGenerator<E, T> {
  const queue: E[] = []
  let wake: (() => void) | null = null
  let finished = false
  const task = run((event) => {
    queue.push(event)
    wake?.()
  }).finally(() => {
    finished = true
    wake?.()
  })
  task.catch(() => undefined)
  while (!finished || queue.length > 0) {
    if (queue.length === 0) await new Promise<void>((r) => (wake = r))
    wake = null
    while (queue.length > 0) yield queue.shift()!
  }
  return await task
}

/** config.json of a backbone on this computer, or null when it is not here (yet). */
export function readLocalModelConfig(client: HubClient, backbone: string): Record<string, unknown> | null {
  if (backbone.trim() === '') return null
  const file = path.join(resolveModelDir(client, backbone), 'config.json')
  if (!fs.existsSync(file)) return null
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** Run a download, yielding its progress (at most every 100 ms, and the last); aborting the stream aborts it. */
export async function* streamDownload<T>(
  run: (onProgress: (p: DownloadProgress) => void, signal: AbortSignal) => Promise<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<DownloadProgress, T> {
  const controller = new AbortController()
  signal?.addEventListener('abort', () => controller.abort(signal.reason))
  let last = 0
  let done = false
  try {
    const result = yield* streamEvents<DownloadProgress, T>((emit) =>
      run((p) => {
        const now = Date.now()
        if (now - last < 100 && p.file !== '') return
        last = now
        emit(p)
      }, controller.signal),
    )
    done = true
    return result
  } finally {
    if (!done) controller.abort()
  }
}

/** The rows of several data files as one JSON Lines text (columns as each file has them). */
async function combinedJsonLines(files: string[]): Promise<Uint8Array> {
  const lines: string[] = []
  for (const file of files) for (const row of (await readDataFile(file)).rows) lines.push(JSON.stringify(row))
  return new TextEncoder().encode(lines.join('\n') + '\n')
}

export async function* importHubDataset(
  client: HubClient,
  datasets: DatasetService,
  input: { id: string; paths: string[]; revision?: string; name?: string },
  signal?: AbortSignal,
): AsyncGenerator<{ progress: DownloadProgress; dataset?: DatasetDetail }> {
  const stream = streamDownload((onProgress, s) => client.downloadDatasetFiles(input.id, input.paths, { revision: input.revision, onProgress, signal: s }), signal)
  let last: DownloadProgress = { file: input.paths[0]!, fileIndex: 0, fileCount: input.paths.length, bytes: 0, total: 0, bytesPerSecond: 0, etaSeconds: null }
  let step = await stream.next()
  while (!step.done) {
    last = step.value
    yield { progress: last }
    step = await stream.next()
  }
  const { dir, commit } = step.value
  const local = input.paths.map((p) => path.join(dir, ...p.split('/')))
  const single = input.paths.length === 1
  const base = input.name ?? (single ? path.basename(input.paths[0]!) : 'combined')
  const name = `${input.id.replace('/', '__')}__${single ? base : `${base.replace(/\.[^.]+$/, '')}.jsonl`}`
  const bytes = single ? fs.readFileSync(local[0]!) : await combinedJsonLines(local)
  const source = `hf:${input.id}@${commit}/${input.paths.length === 1 ? input.paths[0] : `{${input.paths.join(',')}}`}`
  yield { progress: last, dataset: await datasets.importFile({ name, bytes, source }) }
}

/** Run a push, yielding its per-file progress, then the commit URL. */
export async function* pushWithProgress(
  run: (onProgress: (e: { file: string; progress: number }) => void) => Promise<{ url: string }>,
): AsyncGenerator<{ file: string; progress: number; url?: string }> {
  const { url } = yield* streamEvents(run)
  yield { file: '', progress: 1, url }
}
