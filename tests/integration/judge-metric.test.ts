/**
 * The "OpenAI API" metric end to end: the endpoint set through Settings (the key encrypted by the cipher
 * the desktop app passes in), a real engine child training a tiny experiment judged by a local HTTP server
 * that implements /v1/chat/completions, the judge's scores landing in SQLite as val/OpenAI API; and the key
 * never in the logs, the database files or cfg.yaml. Also the store's rules (OPENAI_API_KEY wins, the web
 * host cannot keep a key).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppServices } from '../../src-main/app'
import { createRouter } from '../../src-main/api/router'
import type { Cipher } from '../../src-main/hub/token-store'
import { createJudgeEndpointStore } from '../../src-main/settings/judge-endpoint'
import { makeTempHome } from '../helpers/temp-home'

const API_KEY = 'sk-test-9f8e7d6c5b4a39281706'

/** AES-256-GCM with a key of this process: a stand-in for the OS keychain with the same contract. */
function testCipher(): Cipher {
  const key = crypto.randomBytes(32)
  return {
    isEncryptionAvailable: () => true,
    encryptString(text) {
      const iv = crypto.randomBytes(12)
      const c = crypto.createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    decryptString(data) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      d.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8')
    },
  }
}

interface JudgeServer {
  url: string
  requests: { url: string; authorization: string | undefined; model: string }[]
  close(): Promise<void>
}

/** An OpenAI-compatible server whose judge gives every answer 7 out of 10. */
async function startJudgeServer(): Promise<JudgeServer> {
  const requests: JudgeServer['requests'] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const parsed = JSON.parse(body) as { model: string }
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization, model: parsed.model })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Close to the reference. SCORE: 7' }, finish_reason: 'stop' }] }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

describe('the judge metric through Settings and the supervisor', () => {
  const home = makeTempHome('judge-')
  let app: AppServices
  let judge: JudgeServer

  beforeAll(async () => {
    delete process.env.OPENAI_API_KEY
    judge = await startJudgeServer()
    app = createApp({ dataDir: home.dir, host: 'electron', startEngine: false, cipher: testCipher() })
  })
  afterAll(async () => {
    await app.close()
    await judge.close()
    home.cleanup()
  })

  it('keeps the endpoint, reports only where the key comes from, and the child judges with it', async () => {
    const router = createRouter(app)
    const status = await router.settings.setJudgeEndpoint['~orpc'].handler({ input: { baseUrl: judge.url, model: 'judge-model', apiKey: API_KEY } } as never)
    expect(status).toEqual({ baseUrl: judge.url, model: 'judge-model', keySource: 'stored', canStoreKey: true, configured: true })
    expect(JSON.stringify(status)).not.toContain(API_KEY)
    expect(fs.readFileSync(path.join(home.dir, 'openai-key.bin')).includes(API_KEY)).toBe(false)

    const experiment = app.history.experiments.create({
      name: 'judged',
      backbone: 'demo/tiny',
      config: {
        llm_backbone: path.resolve('resources/demo-backbone'),
        dataset: { train_dataframe: path.resolve('resources/sample-data/instruction-sample.csv'), validation_size: 0.2 },
        tokenizer: { max_length_prompt: 24, max_length_answer: 24, max_length: 48 },
        training: { epochs: 0.5, batch_size: 4, learning_rate: 0.001 },
        prediction: { metric: 'OpenAI API', metric_gpt_model: '', max_length_inference: 4, min_length_inference: 1, num_beams: 1 },
        environment: { backend: 'cpu' },
      },
    })
    app.supervisor.start(experiment.id)
    await app.supervisor.idle()

    const final = app.history.experiments.get(experiment.id)!
    expect(final.error).toBeNull()
    expect(final.status).toBe('finished')
    // 4 validation rows, each judged once with the key from Settings and the model from Settings
    expect(judge.requests).toHaveLength(4)
    for (const r of judge.requests) expect(r).toEqual({ url: '/v1/chat/completions', authorization: `Bearer ${API_KEY}`, model: 'judge-model' })
    const judged = app.history.metrics.list(experiment.id).filter((m) => m.name === 'val/OpenAI API')
    expect(judged.map((m) => [m.step, m.value])).toEqual([[2, 7]])

    // the key is nowhere but in the encrypted file
    const logs = app.history.logs.list(experiment.id).map((l) => l.message).join('\n')
    expect(logs).not.toContain(API_KEY)
    const experimentDir = path.join(app.layout.experiments, experiment.id)
    for (const file of fs.readdirSync(experimentDir, { recursive: true, encoding: 'utf8' })) {
      const full = path.join(experimentDir, file)
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(API_KEY), file).toBe(false)
    }
    app.history.db.pragma('wal_checkpoint(TRUNCATE)')
    for (const file of fs.readdirSync(home.dir).filter((f) => f.startsWith('studio.db'))) {
      expect(fs.readFileSync(path.join(home.dir, file)).includes(API_KEY), file).toBe(false)
    }
    expect(fs.readFileSync(path.join(home.dir, 'judge-endpoint.json'), 'utf8')).not.toContain(API_KEY)
  })
})

describe('judge endpoint store', () => {
  it('OPENAI_API_KEY wins over a kept key; without a cipher (web host) no key can be kept', () => {
    const home = makeTempHome('judge-store-')
    try {
      const desktop = createJudgeEndpointStore({ dir: home.dir, env: { OPENAI_API_KEY: 'sk-from-env' }, cipher: testCipher() })
      desktop.set({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'sk-kept' })
      expect(desktop.status().keySource).toBe('env')
      expect(desktop.endpoint()).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'sk-from-env' })

      const web = createJudgeEndpointStore({ dir: home.dir, env: {} })
      expect(web.status()).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', keySource: 'none', canStoreKey: false, configured: true })
      expect(() => web.set({ baseUrl: 'http://x', model: 'm', apiKey: 'sk' })).toThrow(/OPENAI_API_KEY/)
      expect(web.endpoint()).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: '' })
      expect(() => web.set({ baseUrl: 'api.openai.com', model: 'm' })).toThrow(/not an http\(s\) address/)
      web.set({ baseUrl: '', model: '' })
      expect(web.endpoint()).toBeNull()
    } finally {
      home.cleanup()
    }
  })
})
