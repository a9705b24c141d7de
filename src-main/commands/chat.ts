/**
 * `finetune-studio chat EXPERIMENT_DIR [--prompt TEXT]`: answers with the fine-tuned model (backbone +
 * the experiment's adapter/), building the prompt exactly as training formatted its prompts (markers,
 * EOS, max_length_prompt) and generating with the experiment's prediction settings.
 */
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline/promises'
import { configFromYaml } from '../../src-shared/config'
import { promptAnswerMarkers } from '../../src-shared/config/prompt-answer-tokens'
import { startInProcessEngine } from '../../src-engine/inference'
import { generateIds } from '../../src-engine/generation'
import { loadModel } from '../../src-engine/models/registry'
import { loadTokenizer } from '../../src-engine/tokenizers'
import { resolveBackbone } from '../../src-engine/training/backbone'
import { conversationIds, type Turn } from '../../src-engine/training/conversation'
import { predictionOptions } from '../../src-engine/training/evaluate'
import { parseCommandArgs, UsageError, type Command } from './command'
import { backendHelp, parseBackend } from './engine-args'

const help = `Usage: finetune-studio chat EXPERIMENT_DIR [--prompt TEXT] [--system TEXT] [--backend NAME]

Answers with an experiment's fine-tuned model: the backbone of its cfg.yaml plus its adapter/ folder (if
there is one), or its merged/ folder when training added prompt/answer tokens. The prompt is built as training built its prompts, and the experiment's prediction settings
(max_length_inference, num_beams, do_sample, temperature, repetition_penalty, stop_tokens …) are used.
With --prompt: one answer, printed alone. Without: a conversation, the last prediction.num_history turns
sent with each question; an empty line or Ctrl-D ends it.

Options:
  --prompt TEXT      one question; prints the answer alone
  --system TEXT      the system text (when the experiment has a system column)
${backendHelp}`

export const chatCommand: Command = {
  name: 'chat',
  summary: "answer with an experiment's fine-tuned model, formatting prompts as its training did",
  async run(argv) {
    const parsed = parseCommandArgs('chat', help, argv, { prompt: { type: 'string' }, system: { type: 'string' }, backend: { type: 'string' } }, true)
    if (!parsed) return 0
    const [dir, ...extra] = parsed.positionals
    if (!dir || extra.length > 0) throw new UsageError(`finetune-studio chat: give exactly one EXPERIMENT_DIR.\n\n${help}`)
    const cfgFile = path.join(dir, 'cfg.yaml')
    if (!fs.existsSync(cfgFile)) throw new UsageError(`finetune-studio chat: ${dir} has no cfg.yaml; is it an experiment folder (finetune-studio train --output DIR)?`)
    const { config } = configFromYaml(fs.readFileSync(cfgFile, 'utf8'))
    await startInProcessEngine(parsed.values.backend !== undefined ? parseBackend('chat', parsed.values.backend) : config.environment.backend)
    // add_prompt_answer_tokens grew the vocabulary: only merged/ holds the grown tables and tokenizer.
    const addedTokens = promptAnswerMarkers(config).length > 0
    const mergedDir = path.join(dir, 'merged')
    if (addedTokens && !fs.existsSync(path.join(mergedDir, 'config.json'))) throw new Error(`${dir}: this experiment added prompt/answer tokens (tokenizer.add_prompt_answer_tokens), so it answers only through its merged/ model, and ${mergedDir} is missing: train it to the end first.`)
    const backbone = addedTokens ? mergedDir : resolveBackbone(config.llm_backbone)
    const adapterDir = path.join(dir, 'adapter')
    const loaded = loadModel(backbone, !addedTokens && fs.existsSync(path.join(adapterDir, 'adapter_config.json')) ? { adapterDir } : {})
    try {
      const tokenizer = await loadTokenizer(backbone)
      const decode = (ids: readonly number[]) => (ids.length === 0 ? '' : tokenizer.decode(ids, { skipSpecialTokens: true }))
      const eosTokenIds = tokenizer.eosTokenId !== null ? [tokenizer.eosTokenId] : loaded.generation.eosTokenIds
      const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0
      const options = predictionOptions(config, [...eosTokenIds], padTokenId, decode)
      const answer = async (ids: number[]): Promise<string> => {
        const room = loaded.model.summary.learnedPositions ? loaded.model.summary.maxPositions - ids.length : options.maxNewTokens
        if (room < 1) throw new Error(`The conversation (${ids.length} tokens) fills the model's ${loaded.model.summary.maxPositions} positions: start a new one.`)
        const maxNewTokens = Math.min(options.maxNewTokens, room)
        const result = await generateIds(loaded.model, [ids], { ...options, maxNewTokens, minNewTokens: Math.min(options.minNewTokens ?? 0, maxNewTokens) })
        return decode(result.ids[0]!.filter((id) => !eosTokenIds.includes(id))).trim()
      }
      const system = parsed.values.system ?? ''
      if (parsed.values.prompt !== undefined) {
        console.log(await answer(conversationIds(tokenizer, config, [], parsed.values.prompt, system)))
        return 0
      }
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout })
      const history: Turn[] = []
      try {
        for (;;) {
          let question: string
          try {
            question = await rl.question('> ')
          } catch {
            break // Ctrl-D
          }
          if (question.trim() === '') break
          const keep = config.prediction.num_history > 0 ? history.slice(-config.prediction.num_history) : []
          const reply = await answer(conversationIds(tokenizer, config, keep, question, system))
          console.log(reply)
          history.push({ prompt: question, answer: reply })
        }
      } finally {
        rl.close()
      }
      return 0
    } finally {
      loaded.model.dispose()
    }
  },
}
