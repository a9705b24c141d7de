/**
 * How an engine child listens to its host: each message parsed with the protocol's schema, handled one
 * after another in the order sent (a job must not start before `hello` chose the backend), except the
 * urgent ones (cancel, stop, shutdown) which jump the queue to reach the job that is running. A host that
 * goes away (crash, kill) leaves nothing to report to, so the child exits rather than linger.
 */
import type { z } from 'zod'

export function serveParent<M extends { type: string }>(
  entry: string,
  schema: z.ZodType<M>,
  handle: (message: M) => Promise<void>,
  urgent: readonly M['type'][],
  onMalformed: (problem: string) => void = () => {},
): void {
  if (!process.send) {
    console.error(`${entry} is a child process that the app starts. Use \`finetune-studio --help\` instead.`)
    process.exit(2)
  }
  let pending: Promise<void> = Promise.resolve()
  process.on('message', (raw: unknown) => {
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      onMalformed(parsed.error.message)
      return
    }
    const message = parsed.data
    if (urgent.includes(message.type)) void handle(message)
    else pending = pending.then(() => handle(message))
  })
  process.on('disconnect', () => process.exit(0))
}
