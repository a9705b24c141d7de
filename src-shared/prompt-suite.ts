/**
 * The prompt suite: prompts saved per experiment (typed, or taken from its validation samples with their
 * expected answers), run on the backbone (before) and the fine-tuned model (after), each pair scored.
 */
import { z } from 'zod'

export const SuiteResult = z.object({
  before: z.string(),
  after: z.string(),
  /** 'BLEU': sentence BLEU (0–100) of each answer against the expected one; null scores without one. */
  metric: z.literal('BLEU'),
  beforeScore: z.number().nullable(),
  afterScore: z.number().nullable(),
  runAt: z.number(),
})
export type SuiteResult = z.infer<typeof SuiteResult>

export const SuitePrompt = z.object({
  id: z.number().int(),
  experimentId: z.string(),
  prompt: z.string(),
  expected: z.string().nullable(),
  createdAt: z.number(),
  result: SuiteResult.nullable(),
})
export type SuitePrompt = z.infer<typeof SuitePrompt>

export const NewSuitePrompt = z.object({ prompt: z.string().trim().min(1).max(100_000), expected: z.string().max(100_000).nullable() })
export type NewSuitePrompt = z.infer<typeof NewSuitePrompt>

/** One step of "Run all": how far it is, and the prompt whose pair just finished. */
export const SuiteProgress = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  etaSeconds: z.number().nullable(),
  finished: SuitePrompt.optional(),
})
export type SuiteProgress = z.infer<typeof SuiteProgress>
