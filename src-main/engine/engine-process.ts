/**
 * A child process with a typed channel: what it sends is validated against a zod schema on arrival
 * (src-shared/engine-protocol.ts for training children, inference-protocol.ts for the chat child).
 * stderr is kept (the last lines) so a crash can be explained.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import type { z } from 'zod'
import { EngineToHost, type HostToEngine } from '../../src-shared/engine-protocol'
import type { CodedMessage } from '../../src-shared/entities'
import { resolveEngineLaunch, type EngineLaunch } from './launch'

const STDERR_LINES_KEPT = 40

export interface EngineExit {
  code: number | null
  signal: NodeJS.Signals | null
  stderrTail: string
}

export interface ChildEvents<Out> {
  message: [Out]
  exit: [EngineExit]
}

export class TypedChildProcess<In extends { type: string }, Out extends { type: string }> extends EventEmitter<ChildEvents<Out>> {
  readonly child: ChildProcess
  private stderrLines: string[] = []
  private exited: EngineExit | null = null

  constructor(
    private readonly shutdownMessage: In,
    outSchema: z.ZodType<Out>,
    launch: EngineLaunch,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    super()
    this.child = fork(launch.script, [], {
      execArgv: launch.execArgv,
      env: { ...launch.env, ...extraEnv },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    })
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrLines.push(...chunk.split('\n').filter((line) => line.trim() !== ''))
      if (this.stderrLines.length > STDERR_LINES_KEPT) this.stderrLines = this.stderrLines.slice(-STDERR_LINES_KEPT)
    })
    this.child.on('message', (raw) => {
      const parsed = outSchema.safeParse(raw)
      if (parsed.success) this.emit('message', parsed.data)
      else this.stderrLines.push(`host: a malformed engine message was dropped: ${parsed.error.message}`)
    })
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal, stderrTail: this.stderrLines.join('\n') }
      this.emit('exit', this.exited)
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get hasExited(): boolean {
    return this.exited !== null
  }

  send(message: In): void {
    if (this.exited || !this.child.connected) throw new Error('The engine process is not running.')
    this.child.send(message)
  }

  /** Wait for the first message that satisfies `accept`, or reject if the child exits first. */
  waitFor<T extends Out>(accept: (m: Out) => m is T, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: Out) => {
        if (!accept(m)) return
        cleanup()
        resolve(m)
      }
      const onExit = (exit: EngineExit) => {
        cleanup()
        reject(new Error(describeExit(exit)))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`The engine did not answer within ${Math.round(timeoutMs / 1000)} s.`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.off('message', onMessage)
        this.off('exit', onExit)
      }
      this.on('message', onMessage)
      this.on('exit', onExit)
    })
  }

  /** Ask politely, then SIGTERM, then SIGKILL: each after `graceMs` without an exit. */
  async stop(graceMs = 3000): Promise<EngineExit> {
    if (this.exited) return this.exited
    const exited = new Promise<EngineExit>((resolve) => this.once('exit', resolve))
    const escalate = async (act: () => void) => {
      if (this.exited) return
      act()
      await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))])
    }
    await escalate(() => {
      try {
        this.send(this.shutdownMessage)
      } catch {
        /* channel already closed: go straight to signals */
      }
    })
    await escalate(() => this.child.kill('SIGTERM'))
    await escalate(() => this.child.kill('SIGKILL'))
    return exited
  }
}

/** A training engine child (src-engine/worker.ts). */
export class EngineProcess extends TypedChildProcess<HostToEngine, EngineToHost> {
  constructor(launch: EngineLaunch = resolveEngineLaunch('worker'), extraEnv: NodeJS.ProcessEnv = {}) {
    super({ type: 'shutdown' }, EngineToHost, launch, extraEnv)
  }
}

/** The same for the UI's catalogs: killed by a signal (often the OS out of memory) or exited with a code. */
export function exitCodeOf(exit: EngineExit): CodedMessage {
  return exit.signal ? { code: 'engineKilled', params: { signal: exit.signal } } : { code: 'engineExited', params: { exitCode: exit.code ?? -1 } }
}

export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`
  return `The engine process ${how}.${exit.stderrTail ? `\nLast output:\n${exit.stderrTail}` : ''}`
}
