/**
 * Typed messages between the host (src-main) and an engine child (src-engine/worker.ts) over Node's IPC
 * channel. Every message is parsed with these schemas on arrival, on both sides: nothing crosses untyped.
 */
import { z } from 'zod'
import { EngineInfo, LogLevel } from './entities'

/** Environment variable that overrides environment.backend for every engine child. */
export const BACKEND_ENV = 'FINETUNE_STUDIO_BACKEND'

export const backendChoices = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const
export const BackendChoice = z.enum(backendChoices)
export type BackendChoice = z.infer<typeof BackendChoice>

export const HostToEngine = z.discriminatedUnion('type', [
  /** First message: choose and initialise a tensor backend, then answer `ready` or `failed`. */
  z.object({ type: z.literal('hello'), backend: BackendChoice }),
  /** Finish what is running at a safe point and exit 0. */
  z.object({ type: z.literal('shutdown') }),
])
export type HostToEngine = z.infer<typeof HostToEngine>

export const EngineToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: EngineInfo }),
  z.object({ type: z.literal('log'), level: LogLevel, message: z.string() }),
  /** Unrecoverable: the message says what happened and what the user can do about it. */
  z.object({ type: z.literal('failed'), message: z.string() }),
])
export type EngineToHost = z.infer<typeof EngineToHost>
