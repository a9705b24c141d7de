/**
 * The engine child process. The host forks this file and talks to it over Node's IPC channel using the
 * typed messages of src-shared/engine-protocol.ts. It owns every tensor: the host never loads TensorFlow.js.
 */
import { performance } from 'node:perf_hooks'
import { EngineToHost, HostToEngine } from '../src-shared/engine-protocol'
import { formatIssue, validateConfig } from '../src-shared/config'
import { answerHello } from './backend'
import { serveParent } from './parent-channel'
import { train } from './training/trainer'
import { codedMessageOf } from '../src-shared/user-error'

const startedAt = performance.now()
/** Set by `cancel`; the trainer checks it between steps. */
let cancelRequested = false

function send(message: EngineToHost): void {
  // Parse before sending: a malformed event is a bug here, not something for the host to guess at.
  process.send?.(EngineToHost.parse(message))
}

async function handle(message: HostToEngine): Promise<void> {
  switch (message.type) {
    case 'hello':
      send(await answerHello(message.backend, startedAt))
      return
    case 'train': {
      const { request } = message
      const validation = validateConfig(request.config, { requireTrainData: true, openAiEndpointConfigured: request.judge !== undefined })
      const errors = validation.issues.filter((i) => i.severity === 'error')
      if (!validation.config || errors.length > 0) {
        send({
          type: 'failed',
          message: `The experiment's configuration is not valid: ${errors.map((i) => formatIssue(i)).join(' ')}`,
          code: { code: 'configInvalid', params: { fields: errors.map((i) => i.field).join(', ') } },
        })
        return
      }
      for (const warning of validation.issues.filter((i) => i.severity === 'warning')) send({ type: 'log', level: 'warn', message: formatIssue(warning) })
      cancelRequested = false
      try {
        const outcome = await train({
          config: validation.config,
          experimentDir: request.experimentDir,
          resume: request.resume,
          emit: send,
          isCancelled: () => cancelRequested,
          ...(request.judge ? { judge: { ...request.judge, model: validation.config.prediction.metric_gpt_model || request.judge.model } } : {}),
        })
        if (outcome.status === 'done') send({ type: 'done', summary: outcome.summary })
      } catch (error) {
        const code = codedMessageOf(error)
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) })
      }
      return
    }
    case 'cancel':
      cancelRequested = true
      return
    case 'shutdown':
      process.exit(0)
  }
}

serveParent('src-engine/worker.ts', HostToEngine, handle, ['cancel', 'shutdown'], (problem) =>
  send({ type: 'log', level: 'error', message: `engine: ignored a malformed message: ${problem}` }),
)
