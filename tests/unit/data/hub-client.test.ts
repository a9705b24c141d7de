/**
 * The Hub client against a local Hub (tests/helpers/hub-server.ts): model summary from config.json, model
 * download into huggingface_hub's cache layout (checked by hand and by @huggingface/hub's own cache scanner),
 * reuse, resume after a cut connection and after an interrupted run, the token only sent to the Hub and never
 * in messages, and the errors for 401/403/404/429/5xx/offline. Dataset info (configs, splits) and a Parquet
 * split downloaded and imported.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { scanCacheDir } from '@huggingface/hub'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readDataFile } from '../../../src-engine/data'
import { cachedSnapshot, hubCacheDir } from '../../../src-main/hub/cache'
import { HubClient } from '../../../src-main/hub/client'
import { HubError } from '../../../src-main/hub/errors'
import type { DownloadProgress } from '../../../src-shared/hub'
import { etagOf, gitBlobSha1, sha256, startHubServer, type HubServer, type RepoFile } from '../../helpers/hub-server'

const config = { architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'float32', hidden_size: 64 }
const weights: RepoFile = { path: 'model.safetensors', content: crypto.randomBytes(300_000), lfs: true }
const modelFiles: RepoFile[] = [
  { path: 'config.json', content: Buffer.from(JSON.stringify(config)) },
  { path: 'tokenizer.json', content: Buffer.from('{"model":{}}') },
  weights,
  { path: 'pytorch_model.bin', content: crypto.randomBytes(1000), lfs: true },
  { path: 'onnx/model.onnx', content: crypto.randomBytes(500), lfs: true },
  { path: 'nested/dir/notes.txt', content: Buffer.from('nested file\n') },
]
const parquet = Buffer.from(
  parquetWriteBuffer({
    columnData: [
      { name: 'instruction', data: ['日本の首都は？', 'Say hi'], type: 'STRING' },
      { name: 'output', data: ['東京', 'hi'], type: 'STRING' },
    ],
  }),
)

describe('Hugging Face Hub client', () => {
  let hub: HubServer
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-hub-'))
  let n = 0
  const freshCache = () => path.join(tmp, `cache-${n++}`)
  const client = (options: { token?: string; cacheDir?: string; hubUrl?: string } = {}) =>
    new HubClient({ hubUrl: options.hubUrl ?? hub.url, cacheDir: options.cacheDir ?? freshCache(), token: options.token, backoffMs: 10 })

  beforeAll(async () => {
    hub = await startHubServer([
      { type: 'model', id: 'org/tiny-llama', files: modelFiles, license: 'apache-2.0' },
      { type: 'model', id: 'org/bert', files: [{ path: 'config.json', content: Buffer.from('{"model_type":"bert","architectures":["BertModel"]}') }] },
      { type: 'model', id: 'org/gated', files: [{ path: 'config.json', content: Buffer.from(JSON.stringify(config)) }], gated: 'manual' },
      {
        type: 'dataset',
        id: 'org/qa-ja',
        files: [
          { path: 'README.md', content: Buffer.from('# qa') },
          { path: 'data/train-00000-of-00001.parquet', content: parquet, lfs: true },
          { path: 'data/test-00000-of-00001.parquet', content: parquet, lfs: true },
          { path: 'extra/validation/part-0.jsonl', content: Buffer.from('{"q":"a"}\n') },
        ],
      },
    ])
  })
  afterAll(async () => {
    await hub?.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  it('finds the cache as huggingface_hub does: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/c', HF_HOME: '/h' })).toBe('/c')
    expect(hubCacheDir({ HF_HOME: '/h' })).toBe(path.join('/h', 'hub'))
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'huggingface', 'hub'))
  })

  it('summarises a model from config.json: architecture, supported, size, parameters, licence', async () => {
    const summary = await client().modelSummary('org/tiny-llama')
    expect(summary).toMatchObject({ architecture: 'LlamaForCausalLM', modelType: 'llama', supported: true, gated: false, license: 'apache-2.0' })
    // pytorch_model.bin (safetensors exist) and onnx/ are not part of the download.
    expect(summary.files.map((f) => f.path).sort()).toEqual(['config.json', 'model.safetensors', 'nested/dir/notes.txt', 'tokenizer.json'])
    expect(summary.downloadBytes).toBe(modelFiles[0]!.content.length + modelFiles[1]!.content.length + 300_000 + modelFiles[5]!.content.length)
    // The config lacks the sizes an exact count needs, so the weights' bytes decide: 300 000 float32 bytes.
    expect(summary.parameters).toBe(75_000)
    const bert = await client().modelSummary('org/bert')
    expect(bert.supported).toBe(false)
    expect(bert.supportNote).toContain('bert is not a model family')
  })

  it('downloads a model into the huggingface_hub cache layout with progress, then reuses it', async () => {
    const cacheDir = freshCache()
    const events: DownloadProgress[] = []
    const result = await client({ cacheDir }).downloadModel('org/tiny-llama', { onProgress: (p) => events.push(p) })
    const storage = path.join(cacheDir, 'models--org--tiny-llama')
    const commit = hub.repos.get('org/tiny-llama')!.sha
    expect(result.commit).toBe(commit)
    expect(result.dir).toBe(path.join(storage, 'snapshots', commit))
    expect(fs.readFileSync(path.join(storage, 'refs', 'main'), 'utf8')).toBe(commit)
    // blobs/ named by etag: sha256 for LFS files, git blob sha1 otherwise.
    const wanted = modelFiles.filter((f) => !f.path.endsWith('.bin') && !f.path.startsWith('onnx/'))
    expect(fs.readdirSync(path.join(storage, 'blobs')).sort()).toEqual(wanted.map(etagOf).sort())
    expect(etagOf(weights)).toBe(sha256(weights.content))
    expect(etagOf(wanted[0]!)).toBe(gitBlobSha1(wanted[0]!.content))
    for (const file of wanted) {
      const pointer = path.join(result.dir, file.path)
      expect(fs.lstatSync(pointer).isSymbolicLink()).toBe(true)
      const depth = file.path.split('/').length
      expect(fs.readlinkSync(pointer)).toBe(path.join(...Array<string>(depth + 1).fill('..'), 'blobs', etagOf(file)))
      expect(fs.readFileSync(pointer)).toEqual(file.content)
    }
    expect(fs.existsSync(path.join(result.dir, 'pytorch_model.bin'))).toBe(false)
    expect(cachedSnapshot(cacheDir, 'model', 'org/tiny-llama')).toBe(result.dir)

    // @huggingface/hub's cache scanner reads our layout: one repo, main → the commit, every file.
    const scan = await scanCacheDir(cacheDir)
    const [repo] = [...scan.repos]
    expect(repo!.id).toEqual({ name: 'org/tiny-llama', type: 'model' })
    const [revision] = [...repo!.revisions]
    expect(revision!.commitOid).toBe(commit)
    expect(revision!.refs).toEqual(['main'])
    // (its scanner lists the top folder of a snapshot only: nested files are skipped by design)
    expect(revision!.files.map((f) => path.basename(f.path)).sort()).toEqual(wanted.filter((f) => !f.path.includes('/')).map((f) => f.path).sort())
    expect(revision!.files.every((f) => f.blob.path.startsWith(path.join(storage, 'blobs')))).toBe(true)

    // Progress: bytes only grow, the last event has them all, an ETA while running.
    const total = wanted.reduce((s, f) => s + f.content.length, 0)
    expect(events.at(-1)).toMatchObject({ file: '', bytes: total, total, fileCount: wanted.length })
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes)

    // Again: nothing fetched, no resolve request.
    const before = hub.log.length
    const again = await client({ cacheDir }).downloadModel('org/tiny-llama')
    expect(again.fetched).toEqual([])
    expect(again.reused.sort()).toEqual(wanted.map((f) => f.path).sort())
    expect(hub.log.slice(before).filter((r) => r.path.includes('/resolve/') || r.server === 'cdn')).toEqual([])
  })

  it('resumes a cut connection with a Range request and checks the sha256', async () => {
    const cacheDir = freshCache()
    hub.cutOnce(weights, 100_000)
    const before = hub.log.length
    const result = await client({ cacheDir }).downloadModel('org/tiny-llama')
    expect(fs.readFileSync(path.join(result.dir, 'model.safetensors'))).toEqual(weights.content)
    const cdn = hub.log.slice(before).filter((r) => r.server === 'cdn')
    expect(cdn.map((r) => r.range)).toEqual([null, 'bytes=100000-'])
  })

  it('resumes a download that an earlier run left as .incomplete', async () => {
    const cacheDir = freshCache()
    const blobs = path.join(cacheDir, 'models--org--tiny-llama', 'blobs')
    fs.mkdirSync(blobs, { recursive: true })
    fs.writeFileSync(path.join(blobs, `${sha256(weights.content)}.incomplete`), weights.content.subarray(0, 123_456))
    const before = hub.log.length
    const result = await client({ cacheDir }).downloadModel('org/tiny-llama')
    expect(fs.readFileSync(path.join(result.dir, 'model.safetensors'))).toEqual(weights.content)
    expect(hub.log.slice(before).filter((r) => r.server === 'cdn').map((r) => r.range)).toEqual(['bytes=123456-'])
  })

  it('a gated repo: 401 without a token says to accept the licence and set HF_TOKEN; 403; the right token works and stays on the Hub', async () => {
    const without = await client().modelSummary('org/gated').catch((e: unknown) => e)
    expect(without).toBeInstanceOf(HubError)
    expect((without as HubError).kind).toBe('unauthorized')
    expect((without as HubError).message).toMatch(/accept its licence at .*org\/gated.*HF_TOKEN/i)
    const wrong = await client({ token: 'hf_wrong_token_456' }).modelSummary('org/gated').catch((e: unknown) => e)
    expect((wrong as HubError).kind).toBe('gated')
    expect((wrong as HubError).message).not.toContain('hf_wrong_token_456')
    const before = hub.log.length
    const ok = await client({ token: hub.acceptedToken }).downloadModel('org/tiny-llama')
    expect(ok.fetched.length).toBeGreaterThan(0)
    const requests = hub.log.slice(before)
    expect(requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${hub.acceptedToken}`)).toBe(true)
    // The CDN is another origin: it never sees the token.
    expect(requests.filter((r) => r.server === 'cdn').length).toBeGreaterThan(0)
    expect(requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === null)).toBe(true)
  })

  it('404, 429 (waits Retry-After, or says how long), 5xx (retries, then says what to do), offline', async () => {
    const missing = await client().modelSummary('org/nope').catch((e: unknown) => e)
    expect(missing).toMatchObject({ kind: 'notFound', code: 'hubNotFound' })
    expect((missing as Error).message).toContain('Check the spelling')

    hub.fail('org/bert', 429, 1, 1)
    const started = Date.now()
    expect((await client().modelSummary('org/bert')).modelType).toBe('bert')
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)

    hub.fail('org/bert', 429, 1, 3600)
    const limited = await client().modelSummary('org/bert').catch((e: unknown) => e)
    expect(limited).toMatchObject({ kind: 'rateLimited', params: { retryAfter: 3600 } })
    expect((limited as Error).message).toContain('Wait 3600 s')
    hub.fail('org/bert', 429, 0)

    hub.fail('org/bert', 503, 2)
    expect((await client().modelSummary('org/bert')).modelType).toBe('bert')
    hub.fail('org/bert', 500, 10)
    const down = await client().modelSummary('org/bert').catch((e: unknown) => e)
    expect(down).toMatchObject({ kind: 'server' })
    expect((down as Error).message).toContain('Try again in a few minutes')
    hub.fail('org/bert', 500, 0)

    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    const offline = await client({ hubUrl: `http://127.0.0.1:${port}` }).modelSummary('org/bert').catch((e: unknown) => e)
    expect(offline).toMatchObject({ kind: 'offline' })
    expect((offline as Error).message).toContain('ECONNREFUSED')
  })

  it('dataset info: configs and splits from the file layout; a Parquet split downloads into datasets--org--name and reads', async () => {
    const info = await client().datasetInfo('org/qa-ja')
    expect(info.files.map((f) => f.path)).not.toContain('README.md')
    expect(info.configs).toEqual([
      {
        name: 'default',
        splits: [
          { name: 'train', files: [{ path: 'data/train-00000-of-00001.parquet', size: parquet.length, lfs: true }] },
          { name: 'test', files: [{ path: 'data/test-00000-of-00001.parquet', size: parquet.length, lfs: true }] },
        ],
      },
      { name: 'extra', splits: [{ name: 'validation', files: [{ path: 'extra/validation/part-0.jsonl', size: 10, lfs: false }] }] },
    ])
    const cacheDir = freshCache()
    const result = await client({ cacheDir }).downloadDatasetFiles('org/qa-ja', ['data/train-00000-of-00001.parquet'])
    expect(result.dir.startsWith(path.join(cacheDir, 'datasets--org--qa-ja', 'snapshots'))).toBe(true)
    const table = await readDataFile(path.join(result.dir, 'data/train-00000-of-00001.parquet'))
    expect(table.rows).toEqual([
      { instruction: '日本の首都は？', output: '東京' },
      { instruction: 'Say hi', output: 'hi' },
    ])
  })
})

describe('finetune-studio download', () => {
  it('downloads a model into $HF_HOME/hub from $HF_ENDPOINT, prints the snapshot folder, and explains a 404', async () => {
    const { runCliAsync } = await import('../../helpers/cli-async')
    const hub = await startHubServer([{ type: 'model', id: 'org/cli-model', files: modelFiles }])
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-cli-'))
    try {
      const env = { HF_ENDPOINT: hub.url, HF_HOME: home, HF_HUB_CACHE: '', HF_TOKEN: 'hf_secret_never_printed' }
      const ok = await runCliAsync(['download', 'org/cli-model'], env)
      expect(ok.code).toBe(0)
      const dir = path.join(home, 'hub', 'models--org--cli-model', 'snapshots', hub.repos.get('org/cli-model')!.sha)
      expect(ok.stdout.trim()).toBe(dir)
      expect(fs.readFileSync(path.join(dir, 'model.safetensors'))).toEqual(weights.content)
      expect(ok.stderr).toContain('LlamaForCausalLM')
      const missing = await runCliAsync(['download', 'org/nope'], env)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('not found on the Hub')
      expect(ok.stdout + ok.stderr + missing.stdout + missing.stderr).not.toContain('hf_secret_never_printed')
    } finally {
      await hub.close()
      fs.rmSync(home, { recursive: true, force: true })
    }
  })
})
