/**
 * The experiment queue: runs experiments one at a time (by default), each in its own engine child, and
 * announces every persisted event to subscribers. Stop = cancel → SIGTERM → SIGKILL (ExperimentRun.stop).
 */
import { EventEmitter } from 'node:events'
import type { ExperimentStatus } from '../../src-shared/entities'
import type { History } from '../db'
import { ExperimentRun, type JudgeEndpoint, type RunEvent } from './experiment-run'
import { UserError } from '../../src-shared/user-error'

export interface SupervisorOptions {
  history: History
  experimentsDir: string
  /** How many experiments train at once; one GPU rarely fits more. */
  concurrency?: number
  graceMs?: number
  prepareConfig?: (config: unknown) => unknown
  /** The judge metric's endpoint (Settings), read when an experiment starts. */
  judgeEndpoint?: () => JudgeEndpoint | null
}

interface QueueEntry {
  experimentId: string
  resume: boolean
}

const startable: ExperimentStatus[] = ['queued', 'failed', 'stopped', 'interrupted']
const resumable: ExperimentStatus[] = ['interrupted', 'stopped', 'failed']

export class Supervisor extends EventEmitter<{ event: [experimentId: string, event: RunEvent] }> {
  private readonly queue: QueueEntry[] = []
  private readonly running = new Map<string, ExperimentRun>()

  constructor(private readonly options: SupervisorOptions) {
    super()
    this.setMaxListeners(0)
  }

  /** Queue an experiment to run from the start. */
  start(experimentId: string): void {
    this.enqueue(experimentId, false, startable)
  }

  /** Queue an experiment to continue from its last checkpoint. */
  resume(experimentId: string): void {
    this.enqueue(experimentId, true, resumable)
  }

  async stop(experimentId: string): Promise<void> {
    const queued = this.queue.findIndex((entry) => entry.experimentId === experimentId)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.options.history.experiments.setStatus(experimentId, 'stopped', null)
      this.emit('event', experimentId, { type: 'status', status: 'stopped', error: null })
      return
    }
    await this.running.get(experimentId)?.stop()
  }

  isRunning(experimentId: string): boolean {
    return this.running.has(experimentId)
  }

  /** The engine child of a running experiment (tests use it to simulate a crash). */
  runOf(experimentId: string): ExperimentRun | undefined {
    return this.running.get(experimentId)
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) {
      await Promise.race([...this.running.values()].map((run) => run.finished))
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  async shutdown(): Promise<void> {
    this.queue.length = 0
    await Promise.all([...this.running.values()].map((run) => run.stop()))
  }

  private enqueue(experimentId: string, resume: boolean, allowed: ExperimentStatus[]): void {
    const experiment = this.options.history.experiments.get(experimentId)
    if (!experiment) throw new UserError(`No experiment with id ${experimentId}.`, 'experimentMissing', { id: experimentId })
    if (this.running.has(experimentId) || this.queue.some((entry) => entry.experimentId === experimentId)) {
      const where = this.running.has(experimentId) ? 'running' : 'queued'
      throw new UserError(`"${experiment.name}" is already ${where === 'running' ? 'running' : 'waiting in the queue'}.`, where === 'running' ? 'experimentAlreadyRunning' : 'experimentAlreadyQueued', { name: experiment.name })
    }
    if (!allowed.includes(experiment.status)) {
      throw new UserError(
        `"${experiment.name}" is ${experiment.status}; it can be ${resume ? 'resumed' : 'started'} only when ${allowed.join(', ')}.`,
        resume ? 'experimentCannotResume' : 'experimentCannotStart',
        { name: experiment.name, status: experiment.status },
      )
    }
    this.queue.push({ experimentId, resume })
    if (experiment.status !== 'queued') {
      this.options.history.experiments.setStatus(experimentId, 'queued', null)
      this.emit('event', experimentId, { type: 'status', status: 'queued', error: null })
    }
    this.pump()
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 1
    while (this.running.size < limit && this.queue.length > 0) {
      const { experimentId, resume } = this.queue.shift()!
      const run = new ExperimentRun({
        history: this.options.history,
        experimentId,
        experimentsDir: this.options.experimentsDir,
        resume,
        graceMs: this.options.graceMs,
        prepareConfig: this.options.prepareConfig,
        judgeEndpoint: this.options.judgeEndpoint,
        announce: (event) => this.emit('event', experimentId, event),
      })
      this.running.set(experimentId, run)
      void run.finished.then(() => {
        this.running.delete(experimentId)
        this.pump()
      })
    }
  }
}
