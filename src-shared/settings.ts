/** App settings that cross the API. */
import { z } from 'zod'

/** The "OpenAI API" metric's endpoint as the renderer sees it: never the key, only where one comes from. */
export const JudgeEndpointStatus = z.object({
  baseUrl: z.string(),
  model: z.string(),
  /** env: OPENAI_API_KEY in the host's environment (wins); stored: kept encrypted by the desktop app. */
  keySource: z.enum(['env', 'stored', 'none']),
  /** Whether this app can keep a key (desktop app with a working keychain); the web host cannot. */
  canStoreKey: z.boolean(),
  /** Base URL and model set: experiments may use the judge metric. */
  configured: z.boolean(),
})
export type JudgeEndpointStatus = z.infer<typeof JudgeEndpointStatus>

export const JudgeEndpointInput = z.object({
  baseUrl: z.string().max(500),
  model: z.string().max(200),
  /** Omitted: keep the key kept; null or empty: forget it. */
  apiKey: z.string().max(1000).nullable().optional(),
})
export type JudgeEndpointInput = z.infer<typeof JudgeEndpointInput>
