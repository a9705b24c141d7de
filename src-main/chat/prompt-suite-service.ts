/**
 * The prompt suite of an experiment: prompts offered from its validation samples (predictions.csv of the
 * latest evaluation, prompt + expected answer) or typed; "Run all" asks each on before and after, one side
 * at a time through the warm inference child, scores each answer with sentence BLEU against the expected
 * answer (the experiment's validation metric when it is BLEU; perplexity and the LLM judge need the
 * training engine, so the suite always reports BLEU), and saves the pair so reopening shows it.
 */
import { performance } from 'node:perf_hooks'
import path from 'node:path'
import type { ChatSide } from '../../src-shared/chat'
import type { NewSuitePrompt, SuiteProgress, SuitePrompt } from '../../src-shared/prompt-suite'
import { bleuMetric } from '../../src-engine/metrics/bleu'
import { readPredictions } from '../api/experiment-artifacts'
import { UserError } from '../api/errors'
import type { History } from '../db'
import type { ChatService, GenerateOptions } from './chat-service'

export interface PromptSuiteOptions {
  history: History
  experimentsDir: string
  chat: ChatService
}

export class PromptSuiteService {
  constructor(private readonly options: PromptSuiteOptions) {}

  private experiment(experimentId: string): void {
    if (!this.options.history.experiments.get(experimentId)) throw new UserError(`No experiment with id ${experimentId}.`, 'experimentMissing', { id: experimentId })
  }

  list(experimentId: string): SuitePrompt[] {
    this.experiment(experimentId)
    return this.options.history.suite.list(experimentId)
  }

  add(experimentId: string, prompts: readonly NewSuitePrompt[]): SuitePrompt[] {
    this.experiment(experimentId)
    this.options.history.suite.add(experimentId, prompts)
    return this.options.history.suite.list(experimentId)
  }

  /** The experiment's validation samples that are not in the suite yet. */
  suggestions(experimentId: string): NewSuitePrompt[] {
    this.experiment(experimentId)
    const rows = readPredictions(path.join(this.options.experimentsDir, experimentId))
    if (!rows) {
      throw new UserError(
        'This experiment has no validation samples to offer yet: predictions.csv is written at its first evaluation. Train it (or wait for the first evaluation), or type prompts yourself.',
        'noValidationSamples',
      )
    }
    const saved = new Set(this.options.history.suite.list(experimentId).map((p) => p.prompt))
    return rows.filter((row) => row.prompt.trim() !== '' && !saved.has(row.prompt)).map((row) => ({ prompt: row.prompt, expected: row.target === '' ? null : row.target }))
  }

  private async answerOf(experimentId: string, side: ChatSide, prompt: string, options: GenerateOptions): Promise<string> {
    let answer = ''
    for await (const chunk of this.options.chat.generate(experimentId, side, { history: [], prompt }, options)) {
      if (chunk.type === 'finished') answer = chunk.answer
    }
    return answer
  }

  /** Runs every saved prompt on before and after; one progress event per finished pair. */
  async *runAll(experimentId: string, options: GenerateOptions = {}): AsyncGenerator<SuiteProgress> {
    const prompts = this.list(experimentId)
    if (prompts.length === 0) throw new UserError('The suite has no prompts yet: add some from the validation samples or type one.', 'suiteEmpty')
    // Both models must be there before the first answer, so a missing one fails at once and not halfway.
    this.options.chat.modelFor(experimentId, 'before')
    this.options.chat.modelFor(experimentId, 'after')
    const started = performance.now()
    yield { done: 0, total: prompts.length, etaSeconds: null }
    for (const [index, item] of prompts.entries()) {
      if (options.signal?.aborted) return
      const before = await this.answerOf(experimentId, 'before', item.prompt, options)
      const after = await this.answerOf(experimentId, 'after', item.prompt, options)
      if (options.signal?.aborted) return
      // Scored as validation scores its answers: trimmed (H2O's evaluation strips them).
      const score = (answer: string) => (item.expected ? bleuMetric([answer.trim()], [item.expected]).mean : null)
      const finished = this.options.history.suite.saveResult(item.id, { before, after, metric: 'BLEU', beforeScore: score(before), afterScore: score(after), runAt: Date.now() })
      const done = index + 1
      const perPrompt = (performance.now() - started) / 1000 / done
      yield { done, total: prompts.length, etaSeconds: perPrompt * (prompts.length - done), finished }
    }
  }
}
