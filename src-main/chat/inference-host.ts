/**
 * The host side of the inference child: started on the first chat message and kept warm, so later messages
 * skip loading. Each generate() is an async iterator of the child's events for that request; aborting its
 * signal sends `stop`, and the child ends the answer at the next token.
 */
import { BACKEND_ENV, BackendChoice } from '../../src-shared/engine-protocol'
import type { HostToInference} from '../../src-shared/inference-protocol';
import { InferenceToHost, type ChatInput, type GenerationSettings, type ModelRef } from '../../src-shared/inference-protocol'
import { newId } from '../../src-shared/ids'
import type { CodedMessage } from '../../src-shared/entities'
import { UserError } from '../../src-shared/user-error'
import { describeExit, exitCodeOf, TypedChildProcess } from '../engine/engine-process'
import { resolveEngineLaunch } from '../engine/launch'

export type InferenceChild = TypedChildProcess<HostToInference, InferenceToHost>
type RequestEvent = Extract<InferenceToHost, { requestId: string }>

export class InferenceHost {
  private child: InferenceChild | null = null
  private starting: Promise<InferenceChild> | null = null

  /** The child, started and past `hello` (its backend chosen). */
  private async ready(): Promise<InferenceChild> {
    if (this.child && !this.child.hasExited) return this.child
    if (!this.starting) {
      this.starting = (async () => {
        const child: InferenceChild = new TypedChildProcess({ type: 'shutdown' }, InferenceToHost, resolveEngineLaunch('inference-worker'))
        const requested = BackendChoice.safeParse(process.env[BACKEND_ENV] ?? 'auto')
        child.send({ type: 'hello', backend: requested.success ? requested.data : 'auto' })
        const answer = await child.waitFor((m): m is Extract<InferenceToHost, { type: 'ready' | 'failed' }> => m.type === 'ready' || m.type === 'failed')
        if (answer.type === 'failed') {
          void child.stop(1000)
          throw new Error(answer.message)
        }
        this.child = child
        return child
      })().finally(() => {
        this.starting = null
      })
    }
    return this.starting
  }

  async *generate(model: ModelRef, input: ChatInput, settings: GenerationSettings, signal?: AbortSignal): AsyncGenerator<RequestEvent> {
    const child = await this.ready()
    const requestId = newId('gen')
    const queue: RequestEvent[] = []
    let wake: (() => void) | null = null
    let exitMessage: string | null = null
    let exitCode: CodedMessage | null = null
    let finished = false
    const onMessage = (message: InferenceToHost) => {
      if ('requestId' in message && message.requestId === requestId) {
        queue.push(message)
        wake?.()
      }
    }
    const onExit = (exit: Parameters<typeof describeExit>[0]) => {
      exitMessage = describeExit(exit)
      exitCode = exitCodeOf(exit)
      wake?.()
    }
    const onAbort = () => {
      if (!child.hasExited) child.send({ type: 'stop', requestId })
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      child.send({ type: 'generate', requestId, model, input, settings })
      if (signal?.aborted) onAbort()
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!
          if (event.type === 'error') throw event.code ? new UserError(event.message, event.code.code, event.code.params) : new Error(event.message)
          yield event
          if (event.type === 'finished') {
            finished = true
            return
          }
        }
        if (exitMessage !== null) throw new UserError(exitMessage, exitCode!.code, exitCode!.params)
        await new Promise<void>((resolve) => (wake = resolve))
        wake = null
      }
    } finally {
      // The consumer left early (or failed): the answer is not wanted any more.
      if (!finished && exitMessage === null) onAbort()
      child.off('message', onMessage)
      child.off('exit', onExit)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  async stop(): Promise<void> {
    await this.child?.stop()
    this.child = null
  }
}
