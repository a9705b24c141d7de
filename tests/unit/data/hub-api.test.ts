/**
 * The hub procedures over the web host's WebSocket against a local Hub: model summary, a model download as a
 * progress stream, a dataset split downloaded and imported, token lengths with the downloaded model's
 * tokenizer by its Hub id, a 404 that reaches the client with its code, and a push with its commit URL.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createApp, type AppServices } from '../../../src-main/app'
import { demoConfig } from '../../../src-main/demo'
import { HubClient } from '../../../src-main/hub/client'
import { startWebHost, type WebHost } from '../../../src-main/web/host'
import type { Contract } from '../../../src-shared/contract'
import { repoRoot } from '../../helpers/cli'
import { startHubServer, type HubServer } from '../../helpers/hub-server'
import { makeTempHome } from '../../helpers/temp-home'

const tokenizer = fs.readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'data', 'tokenizer', 'tokenizer.json'))
const sample = fs.readFileSync(path.join(repoRoot, 'resources', 'sample-data', 'instruction-sample.csv'))

describe('hub procedures over the WebSocket', () => {
  const home = makeTempHome()
  let hub: HubServer
  let app: AppServices
  let host: WebHost
  let socket: WebSocket
  let client: ContractRouterClient<Contract>

  beforeAll(async () => {
    hub = await startHubServer([
      {
        type: 'model',
        id: 'demo/tiny-gpt2',
        files: [
          { path: 'config.json', content: Buffer.from('{"model_type":"gpt2","architectures":["GPT2LMHeadModel"],"torch_dtype":"float32"}') },
          { path: 'tokenizer.json', content: tokenizer, lfs: true },
        ],
      },
      { type: 'dataset', id: 'demo/instructions', files: [{ path: 'data/train.csv', content: sample, lfs: true }] },
      {
        type: 'dataset',
        id: 'demo/sharded',
        files: [
          { path: 'data/train-00000-of-00002.jsonl', content: Buffer.from('{"question":"one","answer":"1"}\n{"question":"two","answer":"2"}\n') },
          {
            path: 'data/train-00001-of-00002.parquet',
            content: Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'question', data: ['三'], type: 'STRING' }, { name: 'answer', data: ['3'], type: 'STRING' }] })),
            lfs: true,
          },
        ],
      },
    ])
    const rendererDir = path.join(home.dir, 'renderer')
    fs.mkdirSync(rendererDir)
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<div id="root"></div>')
    const hubClient = new HubClient({ hubUrl: hub.url, cacheDir: path.join(home.dir, 'hf', 'hub'), token: hub.acceptedToken })
    app = createApp({ dataDir: path.join(home.dir, 'data'), host: 'web', startEngine: false, hub: hubClient })
    host = await startWebHost({ app, rendererDir })
    socket = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    client = createORPCClient(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }))
  })

  afterAll(async () => {
    socket?.close()
    await host?.close()
    await app?.close()
    await hub?.close()
    home.cleanup()
  })

  it('summarises and downloads a model with progress; its tokenizer then serves token lengths by Hub id', async () => {
    const summary = await client.hub.modelSummary({ id: 'demo/tiny-gpt2' })
    expect(summary).toMatchObject({ modelType: 'gpt2', supported: true, downloadBytes: tokenizer.length + summary.files[0]!.size })
    const events = []
    for await (const event of await client.hub.downloadModel({ id: 'demo/tiny-gpt2' })) events.push(event)
    const last = events.at(-1)!
    expect(last.dir).toBe(path.join(home.dir, 'hf', 'hub', 'models--demo--tiny-gpt2', 'snapshots', hub.repos.get('demo/tiny-gpt2')!.sha))
    expect(last.progress.bytes).toBe(summary.downloadBytes)
    expect(fs.readFileSync(path.join(last.dir!, 'tokenizer.json'))).toEqual(tokenizer)

    const dataset = await client.datasets.importFile({ name: 'lengths.csv', contentBase64: Buffer.from('instruction,output\nhello,world\n').toString('base64') })
    const stats = await client.datasets.tokenLengths({ id: dataset.summary.id, backbone: 'demo/tiny-gpt2' })
    expect(stats.total.max).toBe(12)
  })

  it('lists a dataset repo and imports one of its files after downloading it', async () => {
    const info = await client.hub.datasetInfo({ id: 'demo/instructions' })
    expect(info.configs).toEqual([{ name: 'default', splits: [{ name: 'train', files: [{ path: 'data/train.csv', size: sample.length, lfs: true }] }] }])
    const events = []
    for await (const event of await client.hub.importDatasetFiles({ id: 'demo/instructions', paths: ['data/train.csv'] })) events.push(event)
    const detail = events.at(-1)!.dataset!
    expect(detail.summary).toMatchObject({ name: 'demo__instructions__train.csv', rows: 20, columns: ['instruction', 'output'] })
    expect(detail.summary.source).toMatch(/^hf:demo\/instructions@[0-9a-f]{40}\/data\/train.csv$/)
    expect(detail.mapping).toEqual({ prompt: ['instruction'], answer: 'output', system: null, messages: null })

    // The shards of a split become one JSON Lines dataset.
    const shards = []
    for await (const event of await client.hub.importDatasetFiles({ id: 'demo/sharded', paths: ['data/train-00000-of-00002.jsonl', 'data/train-00001-of-00002.parquet'], name: 'default-train' })) shards.push(event)
    const combined = shards.at(-1)!.dataset!
    expect(combined.summary).toMatchObject({ name: 'demo__sharded__default-train.jsonl', format: 'jsonl', rows: 3, columns: ['question', 'answer'] })
    expect(combined.preview).toEqual([
      { question: 'one', answer: '1' },
      { question: 'two', answer: '2' },
      { question: '三', answer: '3' },
    ])
    expect(combined.mapping).toEqual({ prompt: ['question'], answer: 'answer', system: null, messages: null })
  })

  it('a missing repo: the error reaches the client with its code and advice', async () => {
    await expect(client.hub.modelSummary({ id: 'demo/missing' })).rejects.toMatchObject({ code: 'BAD_REQUEST', data: { code: 'hubNotFound', repo: 'demo/missing' } })
    const stream = await client.hub.downloadModel({ id: 'demo/missing' })
    await expect((async () => {
      for await (const _ of stream) void _
    })()).rejects.toMatchObject({ data: { code: 'hubNotFound' } })
  })

  it("pushes an experiment's adapter by experiment id with progress and gets the commit URL; no host path crosses the API", async () => {
    const config = demoConfig('ds_none', 2)
    const experiment = app.history.experiments.create({ name: 'pushed', config, backbone: 'demo/tiny-gpt2' })
    const folder = path.join(app.layout.experiments, experiment.id, 'adapter')
    fs.mkdirSync(folder, { recursive: true })
    fs.writeFileSync(path.join(folder, 'adapter_config.json'), '{"peft_type":"LORA"}')
    fs.writeFileSync(path.join(folder, 'adapter_model.safetensors'), Buffer.alloc(4096, 7))
    const events = []
    for await (const event of await client.hub.push({ experimentId: experiment.id, repo: 'me/adapter', kind: 'adapter' })) events.push(event)
    expect(events.at(-1)!.url).toBe(`${hub.url}/me/adapter/commit/${hub.repos.get('me/adapter')!.sha}`)
    expect(events.some((e) => e.file === 'adapter_model.safetensors' && e.progress === 1)).toBe(true)
    const files = hub.repos.get('me/adapter')!.files
    expect(files.map((f) => f.path).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors'])
    const card = files.find((f) => f.path === 'README.md')!.content.toString('utf8')
    expect(card).toContain('base_model: "demo/tiny-gpt2"')
    expect(card).toContain('| lora_r | 32 |')
    expect(card).toContain('| epochs | 2 |')

    // A merged folder this run never wrote, and an experiment that does not exist: clear errors, nothing pushed.
    const failure = (input: Parameters<typeof client.hub.push>[0]) =>
      (async () => {
        for await (const _ of await client.hub.push(input)) void _
      })().catch((e: unknown) => e)
    await expect(failure({ experimentId: experiment.id, repo: 'me/merged', kind: 'merged' })).resolves.toMatchObject({
      code: 'BAD_REQUEST',
      message: '"pushed" has no merged folder: it is written by full fine-tuning runs (LoRA off); a LoRA run exports adapter/.',
      data: { code: 'exportMissing' },
    })
    await expect(failure({ experimentId: 'exp_missing', repo: 'me/x', kind: 'adapter' })).resolves.toMatchObject({ data: { code: 'experimentMissing' } })
    expect(hub.repos.has('me/merged')).toBe(false)
  })
})
