/**
 * Dataset records beyond the list summary: column mapping, the checks' warnings, previews and token-length
 * statistics. Shared by the engine (which reads data), the host (which stores it) and the renderer.
 */
import { z } from 'zod'
import { DatasetSummary } from './entities'

/** Which columns feed the prompt, the answer and the system text; `messages` = a multi-turn column. */
export const ColumnMapping = z.object({
  prompt: z.array(z.string()),
  answer: z.string().nullable(),
  system: z.string().nullable(),
  messages: z.string().nullable(),
})
export type ColumnMapping = z.infer<typeof ColumnMapping>

/** A check's finding over the rows: what kind, how many rows, and the first few (1-based) row numbers. */
export const DatasetWarning = z.object({
  kind: z.enum(['emptyPrompt', 'emptyAnswer', 'duplicate', 'tooLong', 'noMapping']),
  count: z.number().int().nonnegative(),
  rows: z.array(z.number().int().positive()),
  /** For tooLong: the character limit that was exceeded. */
  limit: z.number().int().optional(),
})
export type DatasetWarning = z.infer<typeof DatasetWarning>

export const ColumnKind = z.enum(['text', 'number', 'boolean', 'messages', 'list', 'object', 'empty'])
export type ColumnKind = z.infer<typeof ColumnKind>

export const DatasetDetail = z.object({
  summary: DatasetSummary,
  columnKinds: z.record(z.string(), ColumnKind),
  /** The first rows as JSON values, for the preview table. */
  preview: z.array(z.record(z.string(), z.unknown())),
  mapping: ColumnMapping,
  /** What the app guessed at import; the UI offers it again. */
  guess: ColumnMapping,
  warnings: z.array(DatasetWarning),
  encoding: z.string().nullable(),
  fileBytes: z.number().int().nonnegative(),
})
export type DatasetDetail = z.infer<typeof DatasetDetail>

export const TokenLengthRequest = z.object({
  id: z.string(),
  /** A model folder (config.json + tokenizer files) on the host, or a Hub model id already downloaded. */
  backbone: z.string().min(1),
  maxLengthPrompt: z.number().int().positive().default(128),
  maxLengthAnswer: z.number().int().positive().default(128),
  maxLength: z.number().int().positive().default(256),
})
export type TokenLengthRequest = z.infer<typeof TokenLengthRequest>

export const TokenLengthStats = z.object({
  tokenizer: z.string(),
  rows: z.number().int().nonnegative(),
  /** Histogram of the joined (prompt + answer) token lengths before truncation; `cut`: rows of the bin that a limit cuts. */
  bins: z.array(z.object({ from: z.number().int(), to: z.number().int(), count: z.number().int(), cut: z.number().int() })),
  prompt: z.object({ mean: z.number(), max: z.number().int(), p95: z.number().int() }),
  answer: z.object({ mean: z.number(), max: z.number().int(), p95: z.number().int() }),
  total: z.object({ mean: z.number(), max: z.number().int(), p95: z.number().int() }),
  /** Shares of rows (0..1) that each limit would cut. */
  truncated: z.object({ prompt: z.number(), answer: z.number(), total: z.number(), any: z.number() }),
  limits: z.object({ maxLengthPrompt: z.number().int(), maxLengthAnswer: z.number().int(), maxLength: z.number().int() }),
})
export type TokenLengthStats = z.infer<typeof TokenLengthStats>
