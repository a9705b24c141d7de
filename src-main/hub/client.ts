/**
 * The Hugging Face Hub client: repo info, files (tree listing through @huggingface/hub's listFiles with our
 * fetch), dataset configs/splits, model summaries from config.json, and downloads into the standard cache
 * layout with progress, reuse and resume. hubUrl points it at a local server in tests.
 */
import fs from 'node:fs'
import path from 'node:path'
import { listFiles } from '@huggingface/hub'
import { modelShape, parameterCount } from '../../src-shared/memory-fit'
import { supportedModelTypes, type DownloadProgress, type HubDatasetInfo, type HubFile, type HubModelSummary } from '../../src-shared/hub'
import { blobPath, COMMIT_HASH, linkSnapshot, repoFolder, safeRepoPath, snapshotPath, writeRef, type RepoType } from './cache'
import { downloadResumable } from './download'
import { HubError } from './errors'
import { createHubFetch, type HubFetch, type HubHttpOptions } from './http'

export const HUB_URL = 'https://huggingface.co'

export interface HubClientOptions extends Partial<HubHttpOptions> {
  cacheDir: string
}

interface RepoInfo {
  sha: string
  gated: false | string
  license: string | null
  parameters: number | null
}

interface TreeFile extends HubFile {
  etag: string
}

const DATA_FILE = /\.(parquet|csv|tsv|json|jsonl)$/i
const SPLIT_NAMES = ['train', 'validation', 'valid', 'dev', 'test']
/** Weight formats we never need when safetensors exist, and formats for other runtimes. */
const SKIP_ALWAYS = /(\.(onnx|onnx_data|h5|msgpack|ot|tflite|gguf|mlmodel)$)|(^(onnx|openvino|coreml|flax)\/)/i
const TORCH_WEIGHTS = /\.(bin|pt|pth)$/i

export function splitOf(file: string): string {
  const parts = file.toLowerCase().split('/')
  for (const part of [...parts].reverse()) {
    const base = part.replace(DATA_FILE, '')
    const hit = SPLIT_NAMES.find((s) => base === s || base.startsWith(`${s}-`) || base.startsWith(`${s}_`) || base.startsWith(`${s}.`) || base.endsWith(`_${s}`) || base.endsWith(`-${s}`))
    if (hit) return hit === 'valid' || hit === 'dev' ? 'validation' : hit
  }
  return 'train'
}

/** Configs from the folder layout: `<config>/<split>…` when files sit two folders deep outside data/. */
export function configOf(file: string): string {
  const parts = file.split('/')
  if (parts.length >= 3 && parts[0] !== 'data') return parts[0]!
  return 'default'
}

/** The exact parameter count of a family we know, from config.json alone. */
function countFromConfig(config: Record<string, unknown> | null): number | null {
  try {
    return config ? parameterCount(modelShape(config)) : null
  } catch {
    return null
  }
}

export class HubClient {
  readonly hubUrl: string
  readonly cacheDir: string
  private readonly fetch: HubFetch
  private readonly token: () => string | undefined

  constructor(options: HubClientOptions) {
    this.hubUrl = (options.hubUrl ?? HUB_URL).replace(/\/$/, '')
    this.cacheDir = options.cacheDir
    const token = options.token
    this.token = typeof token === 'function' ? token : () => token
    this.fetch = createHubFetch({ ...options, hubUrl: this.hubUrl })
  }

  /** The token for @huggingface/hub's write calls, which insist on holding it (it must start with hf_). */
  writeToken(): string | undefined {
    const token = this.token()
    return token?.startsWith('hf_') ? token : undefined
  }

  get hasToken(): boolean {
    return Boolean(this.token())
  }

  /** Our fetch (token, retries, errors) in the shape @huggingface/hub's functions take. */
  libraryFetch(repo: string): typeof fetch {
    return ((input: string | URL | Request, init?: RequestInit) => this.fetch(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, { ...init, what: repo, repo })) as typeof fetch
  }

  async repoInfo(type: RepoType, id: string, revision = 'main'): Promise<RepoInfo> {
    const response = await this.fetch(`${this.hubUrl}/api/${type}s/${id}/revision/${encodeURIComponent(revision)}`, { what: id, repo: id })
    const json = (await response.json()) as { sha?: string; gated?: false | string; cardData?: { license?: unknown }; safetensors?: { total?: number } }
    if (!json.sha) throw new HubError('server', `${id}: the Hub's answer has no commit. Try again later.`, { repo: id })
    return {
      sha: json.sha,
      gated: json.gated ?? false,
      license: typeof json.cardData?.license === 'string' ? json.cardData.license : null,
      parameters: json.safetensors?.total ?? null,
    }
  }

  async files(type: RepoType, id: string, commit: string): Promise<TreeFile[]> {
    const out: TreeFile[] = []
    for await (const entry of listFiles({ repo: { type, name: id }, revision: commit, recursive: true, hubUrl: this.hubUrl, fetch: this.libraryFetch(id) })) {
      if (entry.type !== 'file') continue
      out.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, lfs: Boolean(entry.lfs), etag: entry.lfs?.oid ?? entry.oid ?? '' })
    }
    return out
  }

  async datasetInfo(id: string, revision = 'main'): Promise<HubDatasetInfo> {
    const info = await this.repoInfo('dataset', id, revision)
    const files = (await this.files('dataset', id, info.sha)).filter((f) => DATA_FILE.test(f.path))
    const configs = new Map<string, Map<string, HubFile[]>>()
    for (const file of files) {
      const config = configs.get(configOf(file.path)) ?? new Map<string, HubFile[]>()
      configs.set(configOf(file.path), config)
      const split = splitOf(file.path)
      config.set(split, [...(config.get(split) ?? []), { path: file.path, size: file.size, lfs: file.lfs }])
    }
    return {
      id,
      commit: info.sha,
      gated: info.gated,
      configs: [...configs].map(([name, splits]) => ({ name, splits: [...splits].map(([split, list]) => ({ name: split, files: list })) })),
      files: files.map(({ path: p, size, lfs }) => ({ path: p, size, lfs })),
    }
  }

  /** The files a model download fetches: everything except other runtimes' formats, and .bin weights when safetensors exist. */
  static modelFiles(files: TreeFile[]): TreeFile[] {
    const hasSafetensors = files.some((f) => f.path.endsWith('.safetensors'))
    return files.filter((f) => !SKIP_ALWAYS.test(f.path) && !(hasSafetensors && TORCH_WEIGHTS.test(f.path)))
  }

  async modelSummary(id: string, revision = 'main'): Promise<HubModelSummary> {
    const info = await this.repoInfo('model', id, revision)
    const files = HubClient.modelFiles(await this.files('model', id, info.sha))
    type ModelConfig = { architectures?: string[]; model_type?: string; torch_dtype?: string } & Record<string, unknown>
    const config: ModelConfig | null = files.some((f) => f.path === 'config.json')
      ? ((await (await this.fetch(`${this.hubUrl}/${id}/resolve/${info.sha}/config.json`, { what: `${id}: config.json`, repo: id })).json()) as ModelConfig)
      : null
    const modelType = config?.model_type ?? null
    const supported = modelType !== null && (supportedModelTypes as readonly string[]).includes(modelType)
    const weightBytes = files.filter((f) => f.path.endsWith('.safetensors')).reduce((n, f) => n + f.size, 0)
    const bytesPerParam = config?.torch_dtype === 'float32' ? 4 : 2
    return {
      id,
      commit: info.sha,
      gated: info.gated,
      license: info.license,
      architecture: config?.architectures?.[0] ?? null,
      modelType,
      supported,
      supportNote: supported
        ? `${modelType} models are supported.`
        : modelType
          ? `${modelType} is not a model family this app implements yet (supported: ${supportedModelTypes.join(', ')}).`
          : 'The repository has no config.json with a model_type: it is not a Transformers model.',
      downloadBytes: files.reduce((n, f) => n + f.size, 0),
      parameters: info.parameters ?? countFromConfig(config) ?? (weightBytes > 0 ? Math.round(weightBytes / bytesPerParam) : null),
      files: files.map(({ path: p, size, lfs }) => ({ path: p, size, lfs })),
      config: config as Record<string, unknown> | null,
    }
  }

  /**
   * Fetch files of a repo at a revision into the cache; files whose snapshot pointer or blob is already
   * there are reused. Returns the snapshot folder.
   */
  async download(
    type: RepoType,
    id: string,
    options: { revision?: string; select?: (files: TreeFile[]) => TreeFile[]; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
  ): Promise<{ dir: string; commit: string; fetched: string[]; reused: string[] }> {
    const revision = options.revision ?? 'main'
    const { sha } = await this.repoInfo(type, id, revision)
    const all = await this.files(type, id, sha)
    const wanted = options.select ? options.select(all) : all
    const storage = repoFolder(this.cacheDir, type, id)
    const reused: string[] = []
    const todo: TreeFile[] = []
    for (const file of wanted) {
      safeRepoPath(file.path)
      if (fs.existsSync(snapshotPath(storage, sha, file.path))) reused.push(file.path)
      else if (file.etag && fs.existsSync(blobPath(storage, file.etag))) {
        linkSnapshot(storage, sha, file.path, file.etag)
        reused.push(file.path)
      } else todo.push(file)
    }
    const total = todo.reduce((n, f) => n + f.size, 0)
    const started = Date.now()
    let done = 0
    const report = (file: string, index: number, bytes: number) => {
      const elapsed = (Date.now() - started) / 1000
      const rate = elapsed > 0 ? bytes / elapsed : 0
      options.onProgress?.({ file, fileIndex: index, fileCount: todo.length, bytes, total, bytesPerSecond: rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null })
    }
    for (const [index, file] of todo.entries()) {
      const etag = file.etag || `${file.path.replace(/\//g, '_')}-${sha}`
      const blob = blobPath(storage, etag)
      fs.mkdirSync(path.dirname(blob), { recursive: true })
      report(file.path, index, done)
      await downloadResumable({
        fetch: this.fetch,
        url: `${this.hubUrl}/${type === 'dataset' ? 'datasets/' : ''}${id}/resolve/${sha}/${file.path.split('/').map(encodeURIComponent).join('/')}`,
        dest: blob,
        what: `${id}: ${file.path}`,
        repo: id,
        expectedSize: file.size,
        expectedSha256: file.lfs ? file.etag : undefined,
        signal: options.signal,
        onBytes: ({ bytes }) => report(file.path, index, done + bytes),
      })
      done += file.size
      linkSnapshot(storage, sha, file.path, etag)
    }
    if (!COMMIT_HASH.test(revision)) writeRef(storage, revision, sha)
    report('', todo.length, done)
    return { dir: path.join(storage, 'snapshots', sha), commit: sha, fetched: todo.map((f) => f.path), reused }
  }

  /** Fetch some files of a dataset repo (e.g. one split's Parquet files) into the cache. */
  downloadDatasetFiles(id: string, paths: string[], options: { revision?: string; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {}) {
    const wanted = new Set(paths)
    return this.download('dataset', id, { ...options, select: (files) => files.filter((f) => wanted.has(f.path)) })
  }

  downloadModel(id: string, options: { revision?: string; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {}) {
    return this.download('model', id, { ...options, select: HubClient.modelFiles })
  }
}
