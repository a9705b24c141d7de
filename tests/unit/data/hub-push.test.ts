/**
 * Push to Hub against the local Hub: create the repo, a generated model card, small files inline and the
 * weights through LFS (basic transfer to another origin, which never sees the token); then the pushed repo
 * downloads back byte for byte. A second push commits to the existing repo; no token is a clear error.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HubClient } from '../../../src-main/hub/client'
import { modelCard } from '../../../src-main/hub/model-card'
import { pushFolder } from '../../../src-main/hub/push'
import { sha256, startHubServer, type HubServer } from '../../helpers/hub-server'

describe('push to Hub', () => {
  let hub: HubServer
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-push-'))
  const folder = path.join(tmp, 'adapter')
  const weights = crypto.randomBytes(50_000)
  const adapterConfig = JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 16, base_model_name_or_path: 'demo/tiny-gpt2' })

  beforeAll(async () => {
    hub = await startHubServer([])
    fs.mkdirSync(folder)
    fs.writeFileSync(path.join(folder, 'adapter_config.json'), adapterConfig)
    fs.writeFileSync(path.join(folder, 'adapter_model.safetensors'), weights)
  })
  afterAll(async () => {
    await hub?.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  const client = (token?: string) => new HubClient({ hubUrl: hub.url, cacheDir: path.join(tmp, `cache-${crypto.randomUUID()}`), token, backoffMs: 10 })
  const card = { baseModel: 'demo/tiny-gpt2', kind: 'adapter' as const, license: 'apache-2.0', settings: { lora_r: 4, learning_rate: 0.00015 }, metrics: { BLEU: 21.4 } }

  it('creates the repo, uploads the files and a model card, and the repo downloads back', async () => {
    const progress: { file: string; progress: number }[] = []
    const result = await pushFolder(client(hub.acceptedToken), { repo: 'me/my-adapter', folder, card, onProgress: (e) => progress.push(e) })
    expect(result.created).toBe(true)
    expect(result.files.sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors'])
    expect(hub.commits).toEqual([{ repo: 'me/my-adapter', title: 'Upload LoRA adapter from Finetune Studio' }])
    expect(progress.filter((p) => p.file === 'adapter_model.safetensors').at(-1)?.progress).toBe(1)
    // The weights went through LFS to the storage origin, without the token.
    const put = hub.log.filter((r) => r.server === 'cdn' && r.method === 'PUT')
    expect(put.map((r) => r.path)).toEqual([`/upload/${sha256(weights)}`])
    expect(put.every((r) => r.authorization === null)).toBe(true)

    const back = await client().download('model', 'me/my-adapter')
    expect(fs.readFileSync(path.join(back.dir, 'adapter_model.safetensors'))).toEqual(weights)
    expect(fs.readFileSync(path.join(back.dir, 'adapter_config.json'), 'utf8')).toBe(adapterConfig)
    const readme = fs.readFileSync(path.join(back.dir, 'README.md'), 'utf8')
    expect(readme).toBe(modelCard({ ...card, repo: 'me/my-adapter' }))
  })

  it('pushes again to the existing repo; without a write token it says how to get one', async () => {
    const again = await pushFolder(client(hub.acceptedToken), { repo: 'me/my-adapter', folder, card, commitTitle: 'Second run' })
    expect(again.created).toBe(false)
    expect(hub.commits.at(-1)).toEqual({ repo: 'me/my-adapter', title: 'Second run' })
    await expect(pushFolder(client(), { repo: 'me/other', folder, card })).rejects.toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('HF_TOKEN') })
  })

  it('the model card: Hub metadata, settings, results and how to load the adapter with PEFT', () => {
    const text = modelCard({ ...card, repo: 'me/my-adapter', datasets: ['kunishou/databricks-dolly-15k-ja'] })
    expect(text.startsWith('---\nbase_model: "demo/tiny-gpt2"\nlibrary_name: peft\nlicense: "apache-2.0"\npipeline_tag: text-generation\ntags:\n- finetune-studio\n- lora\n- peft\ndatasets:\n- "kunishou/databricks-dolly-15k-ja"\n---\n')).toBe(true)
    expect(text).toContain('| lora_r | 4 |')
    expect(text).toContain('| BLEU | 21.4 |')
    expect(text).toContain('model = PeftModel.from_pretrained(base, "me/my-adapter")')
    expect(modelCard({ ...card, kind: 'merged', repo: 'me/merged' })).toContain('library_name: transformers')
  })
})
