/**
 * Chat with an experiment's model: the backbone alone ("before") or with the experiment's fine-tuned
 * adapter ("after"). Prompts are built as the experiment formatted its training data, with its last
 * num_history turns; every prompt and finished answer is saved in the history database.
 */
import fs from 'node:fs'
import path from 'node:path'
import { generationSettingsOf, type ChatChunk, type ChatModels, type ChatSide, type ChatTemplateStatus } from '../../src-shared/chat'
import { ConfigSchema, type Config } from '../../src-shared/config'
import type { ChatInput, GenerationSettings, ModelRef, PromptFormat } from '../../src-shared/inference-protocol'
import type { History } from '../db'
import { afterProblemError, resolveAfterModel } from './after-model'
import type { InferenceHost } from './inference-host'
import { UserError } from '../../src-shared/user-error'

export interface ChatServiceOptions {
  history: History
  experimentsDir: string
  inference: InferenceHost
  /** A backbone name (folder, demo id or Hub id) → its folder on this computer. */
  resolveModel: (backbone: string) => string
  /** Bytes of memory free now: os.freemem, unless a test forces a low value. */
  freeMemory: () => number
}

export interface GenerateOptions {
  /** Changes to the experiment's generation settings (the chat drawer). */
  overrides?: Partial<GenerationSettings>
  promptFormat?: PromptFormat
  signal?: AbortSignal
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

  private backboneDir(config: Config): string {
    const modelDir = this.options.resolveModel(config.llm_backbone)
    if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
      throw new UserError(
        `The backbone "${config.llm_backbone}" is not on this computer. Download it on the Datasets page (Models), or point llm_backbone to a model folder.`,
        'backboneNotHere',
        { backbone: config.llm_backbone },
      )
    }
    return modelDir
  }

  /** Whether the backbone has a chat template, and what the after pane answers with now. */
  models(experimentId: string): ChatModels {
    const config = this.configOf(experimentId)
    const modelDir = this.options.resolveModel(config.llm_backbone)
    let chatTemplate: ChatTemplateStatus = { available: false, reason: 'backboneMissing' }
    if (fs.existsSync(path.join(modelDir, 'config.json'))) {
      const file = path.join(modelDir, 'tokenizer_config.json')
      const tokenizerConfig = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { chat_template?: unknown }) : {}
      // The engine's tokenizers render a single template string (not the named-template list form).
      const available = typeof tokenizerConfig.chat_template === 'string' && tokenizerConfig.chat_template.trim() !== ''
      chatTemplate = { available, reason: available ? null : 'noTemplate' }
    }
    return { chatTemplate, after: resolveAfterModel(this.options, experimentId, config, modelDir).info }
  }

  /** The model folders for one side of the chat, or an error that says what is missing. */
  modelFor(experimentId: string, side: ChatSide): ModelRef {
    const config = this.configOf(experimentId)
    const modelDir = this.backboneDir(config)
    if (side === 'before') return { modelDir, adapterDir: null }
    const after = resolveAfterModel(this.options, experimentId, config, modelDir)
    if (!after.ref) throw afterProblemError(after.info)
    return after.ref
  }

  /** Record the user's prompt as a new turn; answers for it are then streamed per side. */
  ask(chatId: string, prompt: string): number {
    const messages = this.options.history.chats.messages(chatId)
    const turn = messages.reduce((highest, m) => Math.max(highest, m.turn + 1), 0)
    this.options.history.chats.addMessage(chatId, turn, 'user', prompt)
    return turn
  }

  /**
   * One side's answer to a prompt, as chunks: the model for the side, the experiment's generation settings
   * with the overrides, the prompt built as training did (or with the chat template).
   */
  async *generate(
    experimentId: string,
    side: ChatSide,
    conversation: Pick<ChatInput, 'history' | 'prompt'>,
    options: GenerateOptions = {},
  ): AsyncGenerator<ChatChunk> {
    const config = this.configOf(experimentId)
    const settings = { ...generationSettingsOf(config), ...options.overrides }
    const model = this.modelFor(experimentId, side)
    const input: ChatInput = { config, system: null, ...conversation, promptFormat: options.promptFormat ?? 'training' }
    let answer = ''
    for await (const event of this.options.inference.generate(model, input, settings, options.signal)) {
      if (event.type === 'loaded') yield { type: 'loading', description: event.description }
      else if (event.type === 'text') {
        answer += event.text
        yield { type: 'text', text: event.text }
      } else if (event.type === 'finished') {
        yield { type: 'finished', finishReason: event.finishReason, tokens: event.tokens, tokensPerSecond: event.tokensPerSecond, answer }
      }
    }
  }

  async *answer(chatId: string, turn: number, side: ChatSide, options: GenerateOptions = {}): AsyncGenerator<ChatChunk> {
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
    for await (const chunk of this.generate(chat.experimentId, side, { history: earlier, prompt: prompt.content }, options)) {
      if (chunk.type === 'finished') this.options.history.chats.addMessage(chatId, turn, side, chunk.answer)
      yield chunk
    }
  }
}
