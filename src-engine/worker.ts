/**
 * The engine child process. The host forks this file and talks to it over Node's IPC channel using the
 * typed messages of src-shared/engine-protocol.ts. It owns every tensor: the host never loads TensorFlow.js.
 */
import { performance } from 'node:perf_hooks'
import { EngineToHost, HostToEngine } from '../src-shared/engine-protocol'
import { chooseBackend, tf } from './backend'

const startedAt = performance.now()

function send(message: EngineToHost): void {
  // Parse before sending: a malformed event is a bug here, not something for the host to guess at.
  process.send?.(EngineToHost.parse(message))
}

async function handle(message: HostToEngine): Promise<void> {
  switch (message.type) {
    case 'hello': {
      try {
        const chosen = await chooseBackend(message.backend)
        send({
          type: 'ready',
          info: {
            backend: chosen.backend,
            device: chosen.device,
            tfjsVersion: tf.version.tfjs,
            ladder: chosen.ladder,
            precisionNote: chosen.precisionNote,
            pid: process.pid,
            startedInMs: Math.round(performance.now() - startedAt),
          },
        })
      } catch (error) {
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
      }
      return
    }
    case 'train':
      // Training arrives with the Engine II work; until then the child says so instead of pretending.
      send({ type: 'failed', message: 'Training is not built into this version yet: experiments can be saved but not run.' })
      return
    case 'cancel':
      return
    case 'shutdown':
      process.exit(0)
  }
}

if (!process.send) {
  console.error('src-engine/worker.ts is the engine child process: the app starts it. Use `finetune-studio --help` instead.')
  process.exit(2)
}

// Messages are handled one after another, in the order sent: `train` must not start before `hello` has
// chosen the backend. `cancel` and `shutdown` jump the queue, so they reach a job that is running.
let pending: Promise<void> = Promise.resolve()
process.on('message', (raw: unknown) => {
  const parsed = HostToEngine.safeParse(raw)
  if (!parsed.success) {
    send({ type: 'log', level: 'error', message: `engine: ignored a malformed message: ${parsed.error.message}` })
    return
  }
  const message = parsed.data
  if (message.type === 'cancel' || message.type === 'shutdown') void handle(message)
  else pending = pending.then(() => handle(message))
})
// The host went away (crash, kill): nothing is left to report to, so stop rather than linger.
process.on('disconnect', () => process.exit(0))
