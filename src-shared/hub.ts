/** Hugging Face Hub records that cross the API: repo files, dataset configs/splits, model summaries, progress. */
import { z } from 'zod'

export const HubFile = z.object({ path: z.string(), size: z.number().int().nonnegative(), lfs: z.boolean() })
export type HubFile = z.infer<typeof HubFile>

export const HubDatasetInfo = z.object({
  id: z.string(),
  commit: z.string(),
  gated: z.union([z.literal(false), z.string()]),
  configs: z.array(
    z.object({
      name: z.string(),
      splits: z.array(z.object({ name: z.string(), files: z.array(HubFile) })),
    }),
  ),
  /** Every data file (Parquet, CSV, JSON, JSONL, TSV) of the repo. */
  files: z.array(HubFile),
})
export type HubDatasetInfo = z.infer<typeof HubDatasetInfo>

export const HubModelSummary = z.object({
  id: z.string(),
  commit: z.string(),
  gated: z.union([z.literal(false), z.string()]),
  license: z.string().nullable(),
  architecture: z.string().nullable(),
  modelType: z.string().nullable(),
  supported: z.boolean(),
  /** Why it is or is not supported, in words. */
  supportNote: z.string(),
  /** Bytes of the files a download would fetch. */
  downloadBytes: z.number().int().nonnegative(),
  parameters: z.number().nullable(),
  files: z.array(HubFile),
  /** config.json as published, for the memory-fit estimate. */
  config: z.record(z.string(), z.unknown()).nullable(),
})
export type HubModelSummary = z.infer<typeof HubModelSummary>

export const DownloadProgress = z.object({
  /** The file being fetched now ('' once all are done). */
  file: z.string(),
  fileIndex: z.number().int().nonnegative(),
  fileCount: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  total: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
})
export type DownloadProgress = z.infer<typeof DownloadProgress>

/** Model families the engine implements (config.json model_type). */
export const supportedModelTypes = ['gpt2', 'gpt_neox', 'llama', 'mistral', 'qwen2'] as const
