/**
 * Chat with an experiment's model: the backbone alone ("before") or with the experiment's fine-tuned
 * adapter ("after"). Prompts are built as the experiment formatted its training data, with its last
 * num_history turns; every prompt and finished answer is saved in the history database.
 */
import fs from 'node:fs'
import path from 'node:path'
import { generationSettingsOf, type ChatChunk, type ChatSide } from '../../src-shared/chat'
import { ConfigSchema, type Config } from '../../src-shared/config'
import type { GenerationSettings, ModelRef } from '../../src-shared/inference-protocol'
import type { History } from '../db'
import type { InferenceHost } from './inference-host'
import { UserError } from '../../src-shared/user-error'

export interface ChatServiceOptions {
  history: History
  experimentsDir: string
  inference: InferenceHost
  /** A backbone name (folder, demo id or Hub id) → its folder on this computer. */
  resolveModel: (backbone: string) => string
}

export class ChatService {
  constructor(private readonly options: ChatServiceOptions) {}

  configOf(experimentId: string): Config {
    const experiment = this.options.history.experiments.get(experimentId)
    if (!experiment) throw new UserError(`No experiment with id ${experimentId}.`, 'experimentMissing', { id: experimentId })
    const parsed = ConfigSchema.safeParse(this.options.history.experiments.config(experimentId))
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      throw new UserError(
        `The saved configuration of "${experiment.name}" is not valid (${first ? `${first.path.join('.')}: ${first.message}` : 'unknown problem'}). Clone it from the New experiment page with a valid configuration.`,
        'chatConfigInvalid',
        { name: experiment.name, field: first ? first.path.join('.') : '?' },
      )
    }
    return parsed.data
  }

  /** The model folders for one side of the chat, or an error that says what is missing. */
  modelFor(experimentId: string, side: ChatSide): ModelRef {
    const config = this.configOf(experimentId)
    const modelDir = this.options.resolveModel(config.llm_backbone)
    if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
      throw new UserError(
        `The backbone "${config.llm_backbone}" is not on this computer. Download it on the Datasets page (Models), or point llm_backbone to a model folder.`,
        'backboneNotHere',
        { backbone: config.llm_backbone },
      )
    }
    if (side === 'before') return { modelDir, adapterDir: null }
    const adapterDir = path.join(this.options.experimentsDir, experimentId, 'adapter')
    if (!fs.existsSync(path.join(adapterDir, 'adapter_config.json'))) {
      throw new UserError('This experiment has no fine-tuned weights yet (its adapter folder is missing): train it first, then chat with the result.', 'chatNoWeights')
    }
    return { modelDir, adapterDir }
  }

  /** Record the user's prompt as a new turn; answers for it are then streamed per side. */
  ask(chatId: string, prompt: string): number {
    const messages = this.options.history.chats.messages(chatId)
    const turn = messages.reduce((highest, m) => Math.max(highest, m.turn + 1), 0)
    this.options.history.chats.addMessage(chatId, turn, 'user', prompt)
    return turn
  }

  async *answer(chatId: string, turn: number, side: ChatSide, overrides: Partial<GenerationSettings>, signal?: AbortSignal): AsyncGenerator<ChatChunk> {
    const chat = this.options.history.chats.get(chatId)
    if (!chat?.experimentId) throw new UserError(`No chat with id ${chatId} (or its experiment was deleted).`, 'chatMissing', { id: chatId })
    const config = this.configOf(chat.experimentId)
    const messages = this.options.history.chats.messages(chatId)
    const prompt = messages.find((m) => m.turn === turn && m.side === 'user')
    if (!prompt) throw new UserError(`Turn ${turn} of this chat has no prompt.`, 'chatTurnMissing', { turn })
    const turns = messages
      .filter((m) => m.turn < turn && m.side === 'user')
      .map((m) => ({ prompt: m.content, answer: messages.find((a) => a.turn === m.turn && a.side === side)?.content ?? '' }))
    // num_history earlier turns go with the prompt (0: none; slice(-0) would keep them all).
    const earlier = config.prediction.num_history === 0 ? [] : turns.slice(-config.prediction.num_history)
    const settings = { ...generationSettingsOf(config), ...overrides }
    const model = this.modelFor(chat.experimentId, side)
    let answer = ''
    for await (const event of this.options.inference.generate(model, { config, system: null, history: earlier, prompt: prompt.content }, settings, signal)) {
      if (event.type === 'loaded') yield { type: 'loading', description: event.description }
      else if (event.type === 'text') {
        answer += event.text
        yield { type: 'text', text: event.text }
      } else if (event.type === 'finished') {
        this.options.history.chats.addMessage(chatId, turn, side, answer)
        yield { type: 'finished', finishReason: event.finishReason, tokens: event.tokens, tokensPerSecond: event.tokensPerSecond, answer }
      }
    }
  }
}
