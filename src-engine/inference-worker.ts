/**
 * The inference child: loads models on demand (the backbone alone, and with an adapter), keeps the two
 * most recently used warm (a running experiment's checkpoint counts as new when its step changes), and streams each answer's text to the host as it is generated. Requests run one
 * at a time in arrival order; `stop` aborts the one it names at the next token.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConfigSchema, type Config } from '../src-shared/config'
import { HostToInference, InferenceToHost, type ModelRef } from '../src-shared/inference-protocol'
import { answerHello } from './backend'
import { serveParent } from './parent-channel'
import { chatTemplateIds, conversationIds } from './training/conversation'
import { readLoopState } from './training/checkpoint'
import { exportPeftAdapter } from './training/export-adapter'
import { parseTargetModules } from './training/trainable'
import { generateFromModel, generateOptionsOf, loadModel, loadTokenizer } from './inference'
import type { LoadedModel } from './models/registry'
import type { Tokenizer } from './tokenizers'
import { codedMessageOf } from '../src-shared/user-error'

const MODELS_KEPT = 2
const startedAt = performance.now()
const loaded = new Map<string, { ref: ModelRef; model: LoadedModel; tokenizer: Tokenizer }>()
const running = new Map<string, AbortController>()

function send(message: InferenceToHost): void {
  process.send?.(InferenceToHost.parse(message))
}

function keyOf(ref: ModelRef): string {
  return `${ref.modelDir}\u0000${ref.adapterDir ?? ''}\u0000${ref.checkpoint ? `${ref.checkpoint.dir}@${ref.checkpoint.step}` : ''}`
}

/**
 * A running experiment's checkpoint as a PEFT adapter in a temporary folder (the checkpoint holds the LoRA
 * factors transposed, as training keeps them). The trainer may replace the checkpoint (checkpoints/last)
 * while it is read: the step is read before and after, and a read that straddled a replacement is redone,
 * so the step returned is the one the weights belong to.
 */
function adapterFromCheckpoint(checkpointDir: string, modelDir: string, config: Config): { adapterDir: string; step: number } {
  const modelType = String((JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { model_type?: unknown }).model_type ?? '')
  const t = config.training
  const info = { baseModel: config.llm_backbone, modelType, r: t.lora_r, alpha: t.lora_alpha, dropout: t.lora_dropout, useRslora: t.use_rslora, targets: parseTargetModules(t.lora_target_modules) }
  const adapterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-studio-checkpoint-'))
  for (let attempt = 1; ; attempt++) {
    try {
      const step = readLoopState(checkpointDir).step
      exportPeftAdapter(checkpointDir, adapterDir, info)
      if (readLoopState(checkpointDir).step === step) return { adapterDir, step }
    } catch (error) {
      if (attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
        fs.rmSync(adapterDir, { recursive: true, force: true })
        throw error
      }
    }
  }
}

function loadRef(ref: ModelRef, config: Config, onNote: (note: string) => void): LoadedModel {
  if (!ref.checkpoint) return loadModel(ref.modelDir, { ...(ref.adapterDir ? { adapterDir: ref.adapterDir } : {}), onNote })
  const { adapterDir, step } = adapterFromCheckpoint(ref.checkpoint.dir, ref.modelDir, config)
  try {
    onNote(`checkpoint ${ref.checkpoint.dir} (step ${step})`)
    return loadModel(ref.modelDir, { adapterDir, onNote })
  } finally {
    // The adapter's tensors are in the model now.
    fs.rmSync(adapterDir, { recursive: true, force: true })
  }
}

async function modelFor(ref: ModelRef, config: Config, requestId: string) {
  const key = keyOf(ref)
  const warm = loaded.get(key)
  if (warm) {
    // Most recently used last: the first entry is the one to evict.
    loaded.delete(key)
    loaded.set(key, warm)
    return warm
  }
  if (ref.checkpoint) {
    // A newer checkpoint of the same run (any folder under its checkpoints/) replaces the older one,
    // rather than pushing out the backbone.
    const run = path.dirname(ref.checkpoint.dir)
    for (const [otherKey, other] of loaded) {
      if (other.ref.checkpoint && path.dirname(other.ref.checkpoint.dir) === run) {
        other.model.model.dispose()
        loaded.delete(otherKey)
      }
    }
  }
  const started = performance.now()
  const notes: string[] = []
  const entry = {
    ref,
    model: loadRef(ref, config, (note) => notes.push(note)),
    tokenizer: await loadTokenizer(ref.modelDir),
  }
  loaded.set(key, entry)
  while (loaded.size > MODELS_KEPT) {
    const [oldest] = loaded.keys()
    loaded.get(oldest!)?.model.model.dispose()
    loaded.delete(oldest!)
  }
  // A checkpoint's note (first) says which step its weights are from.
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
        const { input } = message
        const config = ConfigSchema.parse(input.config)
        const { model, tokenizer } = await modelFor(message.model, config, message.requestId)
        const idsOf = input.promptFormat === 'chatTemplate' ? chatTemplateIds : conversationIds
        const outcome = await generateFromModel(model, tokenizer, {
          ids: idsOf(tokenizer, config, input.history, input.prompt, input.system ?? ''),
          options: generateOptionsOf(message.settings, controller.signal),
          onText: (text) => {
            if (text !== '') send({ type: 'text', requestId: message.requestId, text })
          },
        })
        send({ type: 'finished', requestId: message.requestId, finishReason: outcome.finishReason, tokens: outcome.ids.length, tokensPerSecond: outcome.tokensPerSecond })
      } catch (error) {
        const code = codedMessageOf(error)
        send({ type: 'error', requestId: message.requestId, message: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) })
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
