/**
 * Keeps the engine status the UI shows as its chip: forks one engine child at start, asks which backend it
 * chose, and publishes starting → ready | failed to every subscriber.
 */
import { EventEmitter } from 'node:events'
import { BACKEND_ENV, BackendChoice } from '../../src-shared/engine-protocol'
import type { EngineStatus } from '../../src-shared/entities'
import { EngineProcess } from './engine-process'

export class EngineMonitor extends EventEmitter<{ status: [EngineStatus] }> {
  private current: EngineStatus = { state: 'starting' }
  private engine: EngineProcess | null = null

  get status(): EngineStatus {
    return this.current
  }

  private publish(status: EngineStatus): void {
    this.current = status
    this.emit('status', status)
  }

  async start(): Promise<EngineStatus> {
    this.publish({ state: 'starting' })
    const requested = BackendChoice.safeParse(process.env[BACKEND_ENV] ?? 'auto')
    if (!requested.success) {
      this.publish({
        state: 'failed',
        message: `${BACKEND_ENV}="${process.env[BACKEND_ENV]}" is not a backend. Use one of: ${BackendChoice.options.join(', ')}.`,
      })
      return this.current
    }
    const engine = new EngineProcess()
    this.engine = engine
    try {
      engine.send({ type: 'hello', backend: requested.data })
      const answer = await engine.waitFor((m) => m.type === 'ready' || m.type === 'failed')
      this.publish(answer.type === 'ready' ? { state: 'ready', info: answer.info } : { state: 'failed', message: answer.message })
    } catch (error) {
      this.publish({ state: 'failed', message: error instanceof Error ? error.message : String(error) })
    }
    return this.current
  }

  async stop(): Promise<void> {
    await this.engine?.stop()
    this.engine = null
  }
}
