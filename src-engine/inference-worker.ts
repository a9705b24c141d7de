/**
 * The inference child: loads models on demand (the backbone alone, and with an adapter), keeps the two
 * most recently used warm, and streams each answer's text to the host as it is generated. Requests run one
 * at a time in arrival order; `stop` aborts the one it names at the next token.
 */
import { performance } from 'node:perf_hooks'
import { ConfigSchema } from '../src-shared/config'
import { HostToInference, InferenceToHost, type ModelRef } from '../src-shared/inference-protocol'
import { answerHello } from './backend'
import { serveParent } from './parent-channel'
import { conversationIds } from './training/conversation'
import { generateFromModel, loadModel, loadTokenizer } from './inference'
import type { LoadedModel } from './models/registry'
import type { Tokenizer } from './tokenizers'

const MODELS_KEPT = 2
const startedAt = performance.now()
const loaded = new Map<string, { model: LoadedModel; tokenizer: Tokenizer }>()
const running = new Map<string, AbortController>()

function send(message: InferenceToHost): void {
  process.send?.(InferenceToHost.parse(message))
}

function keyOf(ref: ModelRef): string {
  return `${ref.modelDir}\u0000${ref.adapterDir ?? ''}`
}

async function modelFor(ref: ModelRef, requestId: string) {
  const key = keyOf(ref)
  const warm = loaded.get(key)
  if (warm) {
    // Most recently used last: the first entry is the one to evict.
    loaded.delete(key)
    loaded.set(key, warm)
    return warm
  }
  const started = performance.now()
  const notes: string[] = []
  const entry = {
    model: loadModel(ref.modelDir, { ...(ref.adapterDir ? { adapterDir: ref.adapterDir } : {}), onNote: (note) => notes.push(note) }),
    tokenizer: await loadTokenizer(ref.modelDir),
  }
  loaded.set(key, entry)
  while (loaded.size > MODELS_KEPT) {
    const [oldest] = loaded.keys()
    loaded.get(oldest!)?.model.model.dispose()
    loaded.delete(oldest!)
  }
  const description = [`${ref.modelDir}${ref.adapterDir ? ` + adapter ${ref.adapterDir}` : ''}`, ...notes].join(' · ')
  send({ type: 'loaded', requestId, description, seconds: (performance.now() - started) / 1000 })
  return entry
}

async function handle(message: HostToInference): Promise<void> {
  switch (message.type) {
    case 'hello':
      send(await answerHello(message.backend, startedAt))
      return
    case 'generate': {
      const controller = running.get(message.requestId) ?? new AbortController()
      running.set(message.requestId, controller)
      try {
        if (controller.signal.aborted) {
          send({ type: 'finished', requestId: message.requestId, finishReason: 'aborted', tokens: 0, tokensPerSecond: 0 })
          return
        }
        const { model, tokenizer } = await modelFor(message.model, message.requestId)
        const s = message.settings
        const { input } = message
        const config = ConfigSchema.parse(input.config)
        const outcome = await generateFromModel(model, tokenizer, {
          ids: conversationIds(tokenizer, config, input.history, input.prompt, input.system ?? ''),
          options: {
            maxNewTokens: s.maxNewTokens,
            minNewTokens: s.minNewTokens,
            doSample: s.doSample,
            temperature: s.temperature,
            topK: s.topK,
            topP: s.topP,
            repetitionPenalty: s.repetitionPenalty,
            numBeams: s.numBeams,
            stopStrings: s.stopStrings,
            maxTimeSeconds: s.maxTimeSeconds > 0 ? s.maxTimeSeconds : undefined,
            seed: s.seed,
            signal: controller.signal,
          },
          onText: (text) => {
            if (text !== '') send({ type: 'text', requestId: message.requestId, text })
          },
        })
        send({ type: 'finished', requestId: message.requestId, finishReason: outcome.finishReason, tokens: outcome.ids.length, tokensPerSecond: outcome.tokensPerSecond })
      } catch (error) {
        send({ type: 'error', requestId: message.requestId, message: error instanceof Error ? error.message : String(error) })
      } finally {
        running.delete(message.requestId)
      }
      return
    }
    case 'stop': {
      // A stop may arrive before its request started: remember it so the request ends at once.
      const controller = running.get(message.requestId) ?? new AbortController()
      running.set(message.requestId, controller)
      controller.abort()
      return
    }
    case 'shutdown':
      process.exit(0)
  }
}

serveParent('src-engine/inference-worker.ts', HostToInference, handle, ['stop', 'shutdown'])
