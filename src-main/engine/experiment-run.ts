/**
 * One experiment's run in its own engine child: hello → train → events until done, failed, cancelled or
 * the child dies. Each event is written to the history first and only then announced, so a listener that
 * reads the history and then subscribes (in one synchronous step) sees every event exactly once.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BACKEND_ENV, BackendChoice, type EngineToHost, type TrainRequest } from '../../src-shared/engine-protocol'
import type { CodedMessage, ExperimentEvent, ExperimentStatus, LogLevel } from '../../src-shared/entities'
import type { History } from '../db'
import { describeExit, EngineProcess, exitCodeOf, type EngineExit } from './engine-process'

export type RunEvent = ExperimentEvent
export type JudgeEndpoint = NonNullable<TrainRequest['judge']>

const JUDGE_METRIC = 'OpenAI API'

export interface RunOptions {
  history: History
  experimentId: string
  experimentsDir: string
  resume: boolean
  /** Turns the stored Config into what the engine reads (dataset ids and backbone names → paths). */
  prepareConfig?: (config: unknown) => unknown
  /** The judge metric's endpoint (Settings); sent to the child only for an experiment judged by it. */
  judgeEndpoint?: (() => JudgeEndpoint | null) | undefined
  /** Seconds to wait at each step of stopping: cancel → SIGTERM → SIGKILL. */
  graceMs?: number
  announce: (event: RunEvent) => void
}

function backendFor(config: unknown): BackendChoice {
  const fromEnv = BackendChoice.safeParse(process.env[BACKEND_ENV])
  if (fromEnv.success) return fromEnv.data
  const environment = (config as { environment?: { backend?: unknown } } | null)?.environment
  const fromConfig = BackendChoice.safeParse(environment?.backend)
  return fromConfig.success ? fromConfig.data : 'auto'
}

function metricOf(config: unknown): unknown {
  return (config as { prediction?: { metric?: unknown } } | null)?.prediction?.metric
}

export class ExperimentRun {
  readonly engine: EngineProcess
  readonly finished: Promise<ExperimentStatus>
  private stopRequested = false
  private ended = false

  constructor(private readonly options: RunOptions) {
    const { history, experimentId } = options
    const stored = history.experiments.config(experimentId)
    const config = options.prepareConfig ? options.prepareConfig(stored) : stored
    const experimentDir = path.join(options.experimentsDir, experimentId)
    fs.mkdirSync(experimentDir, { recursive: true })
    this.setStatus('running', null)
    this.log('info', options.resume ? 'Resuming from the last checkpoint.' : 'Starting the engine.')

    this.engine = new EngineProcess()
    this.finished = new Promise((resolve) => {
      this.engine.on('message', (message) => {
        const status = this.onMessage(message)
        if (status) resolve(status)
      })
      this.engine.on('exit', (exit) => {
        const status = this.onExit(exit)
        if (status) resolve(status)
      })
    })
    try {
      this.engine.send({ type: 'hello', backend: backendFor(config) })
      const judge = metricOf(config) === JUDGE_METRIC ? options.judgeEndpoint?.() : null
      this.engine.send({ type: 'train', request: { experimentId, experimentDir, config, resume: options.resume, ...(judge ? { judge } : {}) } })
    } catch {
      /* the child died at once: its exit handler records why */
    }
  }

  /** Ask the engine to stop at the next step boundary; escalate to signals if it does not. */
  async stop(): Promise<void> {
    if (this.ended) return
    this.stopRequested = true
    this.log('info', 'Stop requested.')
    const grace = this.options.graceMs ?? 10_000
    try {
      this.engine.send({ type: 'cancel' })
    } catch {
      /* already gone */
    }
    const exitedInTime = await Promise.race([this.finished.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), grace))])
    if (!exitedInTime) await this.engine.stop(grace)
  }

  private onMessage(message: EngineToHost): ExperimentStatus | null {
    // After the end is recorded, a child on its way out has nothing more to say to the history.
    if (this.ended) return null
    const { history, experimentId } = this.options
    switch (message.type) {
      case 'ready':
        history.experiments.setBackend(experimentId, message.info.backend, message.info.device)
        this.options.announce({ type: 'engine', backend: message.info.backend, device: message.info.device })
        this.log('info', `Engine ready: ${message.info.backend} on ${message.info.device}. ${message.info.precisionNote}`)
        return null
      case 'phase':
        this.log('info', `Phase: ${message.phase}${message.detail ? ` (${message.detail})` : ''}`)
        return null
      case 'progress': {
        const progress = message.step / message.totalSteps
        history.experiments.setProgress(experimentId, progress, message.etaSeconds)
        this.options.announce({ type: 'progress', progress, etaSeconds: message.etaSeconds, step: message.step, totalSteps: message.totalSteps, epoch: message.epoch })
        return null
      }
      case 'metrics': {
        const time = Date.now()
        const points = Object.entries(message.values).map(([name, value]) => ({ step: message.step, epoch: message.epoch, name, value, time }))
        history.metrics.append(experimentId, points)
        this.options.announce({ type: 'metrics', points })
        return null
      }
      case 'log':
        this.log(message.level, message.message)
        return null
      case 'checkpoint':
        this.log('info', `Saved the ${message.kind} checkpoint at step ${message.step}: ${message.path}`)
        return null
      case 'best':
        history.experiments.setBestMetric(experimentId, message.name, message.value)
        return null
      case 'done':
        this.log('info', 'Finished.')
        return this.end('finished', null)
      case 'cancelled':
        return this.end('stopped', null)
      case 'failed':
        this.log('error', message.message)
        return this.end('failed', message.message, message.code ?? null)
    }
  }

  private onExit(exit: EngineExit): ExperimentStatus | null {
    if (this.ended) return null
    if (this.stopRequested) return this.end('stopped', null)
    const message = describeExit(exit)
    this.log('error', message)
    return this.end('failed', message, exitCodeOf(exit))
  }

  private end(status: ExperimentStatus, error: string | null, errorCode: CodedMessage | null = null): ExperimentStatus | null {
    if (this.ended) return null
    this.ended = true
    this.setStatus(status, error, errorCode)
    // The job is over: let the child go (it may already be on its way out).
    if (!this.engine.hasExited) void this.engine.stop(this.options.graceMs ?? 3000)
    return status
  }

  private setStatus(status: ExperimentStatus, error: string | null, errorCode: CodedMessage | null = null): void {
    this.options.history.experiments.setStatus(this.options.experimentId, status, error, errorCode)
    this.options.announce({ type: 'status', status, error, errorCode })
  }

  private log(level: LogLevel, message: string): void {
    const time = Date.now()
    const id = this.options.history.logs.append(this.options.experimentId, level, message, time)
    this.options.announce({ type: 'log', id, time, level, message })
  }
}
