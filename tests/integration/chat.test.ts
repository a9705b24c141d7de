/**
 * Chat over the real transport: the web host's WebSocket, the inference child with the demo backbone,
 * tokens streamed as they are generated, before (backbone) and after (with an adapter), stop, transcripts.
 */
import path from 'node:path'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ChatChunk } from '../../src-shared/chat'
import { defaultConfig, setPath } from '../../src-shared/config'
import type { Contract } from '../../src-shared/contract'
import { DEMO_BACKBONE_ID } from '../../src-shared/demo'
import { createApp, type AppServices } from '../../src-main/app'
import { startWebHost, type WebHost } from '../../src-main/web/host'
import { writeDemoAdapter } from '../helpers/demo-adapter'
import { makeTempHome } from '../helpers/temp-home'
import fs from 'node:fs'

type Client = ContractRouterClient<Contract>

describe('chat with an experiment, before and after', () => {
  const home = makeTempHome()
  let app: AppServices
  let host: WebHost
  let client: Client
  let socket: WebSocket
  let experimentId: string

  beforeAll(async () => {
    const renderer = path.join(home.dir, 'renderer')
    fs.mkdirSync(renderer)
    fs.writeFileSync(path.join(renderer, 'index.html'), '<div id="root"></div>')
    app = createApp({ dataDir: path.join(home.dir, 'data'), host: 'web', startEngine: false })
    let config = defaultConfig()
    for (const [key, value] of [
      ['llm_backbone', DEMO_BACKBONE_ID],
      ['prediction.max_length_inference', 24],
      ['prediction.min_length_inference', 24],
      ['prediction.repetition_penalty', 1.0],
      ['dataset.text_prompt_start', 'Q: '],
      ['dataset.text_answer_separator', '\\nA: '],
    ] as const) config = setPath(config, key, value)
    experimentId = app.history.experiments.create({ name: 'chatty', config, backbone: DEMO_BACKBONE_ID }).id
    host = await startWebHost({ app, rendererDir: renderer })
    socket = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    client = createORPCClient<Client>(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }))
  })

  afterAll(async () => {
    socket?.close()
    await host?.close()
    await app?.close()
    home.cleanup()
  })

  async function collect(turn: number, chatId: string, side: 'before' | 'after', signal?: AbortSignal, onChunk?: (c: ChatChunk) => void) {
    const chunks: { chunk: ChatChunk; at: number }[] = []
    for await (const chunk of await client.chat.answer({ chatId, turn, side }, signal ? { signal } : {})) {
      chunks.push({ chunk, at: performance.now() })
      onChunk?.(chunk)
    }
    return chunks
  }

  it('says plainly that there is nothing to compare before the experiment has fine-tuned weights', async () => {
    const chat = await client.chat.create({ experimentId, title: 'no adapter yet' })
    const { turn } = await client.chat.ask({ chatId: chat.id, prompt: 'Hello' })
    await expect(collect(turn, chat.id, 'after')).rejects.toThrow(/no fine-tuned weights yet/)
  })

  it('streams the backbone and the adapted model token by token, saves both, and they differ', async () => {
    writeDemoAdapter(path.join(app.layout.experiments, experimentId, 'adapter'))
    const chat = await client.chat.create({ experimentId, title: 'first' })
    const { turn } = await client.chat.ask({ chatId: chat.id, prompt: 'What is the capital of Japan?' })
    const before = await collect(turn, chat.id, 'before')
    const after = await collect(turn, chat.id, 'after')
    for (const side of [before, after]) {
      const texts = side.filter((c) => c.chunk.type === 'text')
      // Streamed: many pieces, arriving over time, the first long before the answer was finished.
      expect(texts.length).toBeGreaterThan(3)
      expect(side.at(-1)!.chunk.type).toBe('finished')
      expect(texts[0]!.at).toBeLessThan(side.at(-1)!.at)
      const finished = side.at(-1)!.chunk
      if (finished.type === 'finished') {
        expect(finished.tokens).toBe(24)
        expect(texts.map((c) => (c.chunk.type === 'text' ? c.chunk.text : '')).join('')).toBe(finished.answer)
      }
    }
    const answerOf = (chunks: typeof before) => (chunks.at(-1)!.chunk as Extract<ChatChunk, { type: 'finished' }>).answer
    expect(answerOf(after)).not.toBe(answerOf(before))
    const saved = await client.chat.messages({ chatId: chat.id })
    expect(saved.map((m) => [m.turn, m.side])).toEqual([
      [0, 'user'],
      [0, 'before'],
      [0, 'after'],
    ])
    expect(saved[1]!.content).toBe(answerOf(before))
    expect((await client.chat.list({ experimentId })).map((c) => c.title)).toContain('first')
  })

  it('stops an answer mid-way when the client aborts, and the next answer still works', async () => {
    const chat = await client.chat.create({ experimentId, title: 'stopped' })
    const { turn } = await client.chat.ask({ chatId: chat.id, prompt: 'Tell me a long story' })
    const controller = new AbortController()
    let pieces = 0
    await collect(turn, chat.id, 'before', controller.signal, (chunk) => {
      if (chunk.type === 'text' && ++pieces === 2) controller.abort()
    }).catch(() => undefined)
    expect(pieces).toBeGreaterThanOrEqual(2)
    const next = await collect(turn, chat.id, 'after')
    expect(next.at(-1)!.chunk.type).toBe('finished')
  })
})
