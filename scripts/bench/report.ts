/**
 * One bench result row: the JSON schema (case, mode, backend, tokens_per_s, torch_tokens_per_s,
 * ratio, peak_mb) plus the checks behind it, and the human and Markdown tables.
 */
import { z } from 'zod'

export const BenchRow = z.object({
  case: z.string(),
  mode: z.enum(['lora', 'full', 'generate']),
  backend: z.string(),
  /** false: run with the fused kernels off (--unfused), the composed ops. */
  fused: z.boolean(),
  tokens_per_s: z.number().nonnegative(),
  torch_tokens_per_s: z.number().nonnegative().nullable(),
  /** ours ÷ PyTorch's tokens per second. */
  ratio: z.number().nonnegative().nullable(),
  peak_mb: z.number().nonnegative(),
  // extra fields
  /** WebGPU: MB of GPU buffers held after the timed steps (peak_mb is the process's RSS); null on CPU backends. */
  gpu_mb: z.number().nullable(),
  device: z.string(),
  ms_per_step: z.number(),
  /** CPU time per step of the engine's process and of PyTorch's, and PyTorch's ÷ ours: steadier than wall time when others share the machine. */
  cpu_ms_per_step: z.number(),
  torch_cpu_ms_per_step: z.number().nullable(),
  cpu_ratio: z.number().nullable(),
  steps: z.number().int(),
  threads: z.number().int().nullable(),
  trainable_params: z.number().int(),
  first_loss: z.number().nullable(),
  torch_first_loss: z.number().nullable(),
  last_loss: z.number().nullable(),
  torch_last_loss: z.number().nullable(),
  /** Greedy tokens equal to PyTorch's, from the start (generate); null without PyTorch. */
  tokens_matching_torch: z.number().int().nullable(),
  torch_peak_mb: z.number().nullable(),
  torch_threads: z.number().int().nullable(),
  /** The BLAS library PyTorch's matmuls ran on. */
  torch_blas: z.string().nullable(),
  tensors_before: z.number().int(),
  tensors_after: z.number().int(),
  /** Live tensors after everything was disposed minus before the model was loaded. */
  tensors_leaked: z.number().int(),
  /** What failed of the bench's checks (first loss to 1e-4, tensor growth, leak); empty when all hold. */
  failures: z.array(z.string()),
})
export type BenchRow = z.infer<typeof BenchRow>

/** Tolerance of the first loss (same weights, same batch) between the engine and PyTorch. */
export const FIRST_LOSS_TOLERANCE = 1e-4

export function rowChecks(row: Omit<BenchRow, 'failures'>): string[] {
  const failures: string[] = []
  if (row.first_loss !== null && row.torch_first_loss !== null && !(Math.abs(row.first_loss - row.torch_first_loss) <= FIRST_LOSS_TOLERANCE)) {
    failures.push(`first loss ${row.first_loss} differs from PyTorch's ${row.torch_first_loss} by more than ${FIRST_LOSS_TOLERANCE}`)
  }
  if (row.tensors_after !== row.tensors_before) failures.push(`live tensors grew from ${row.tensors_before} to ${row.tensors_after} over the timed steps`)
  if (row.tensors_leaked !== 0) failures.push(`${row.tensors_leaked} tensors left after disposing the model`)
  return failures
}

const fixed = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits))

const columns: [string, (r: BenchRow) => string][] = [
  ['case', (r) => r.case],
  ['mode', (r) => r.mode],
  ['backend', (r) => (r.fused ? r.backend : `${r.backend} (unfused)`)],
  ['tokens/s', (r) => fixed(r.tokens_per_s)],
  ['PyTorch tokens/s', (r) => fixed(r.torch_tokens_per_s)],
  ['ratio', (r) => fixed(r.ratio, 3)],
  ['ms/step', (r) => fixed(r.ms_per_step, 0)],
  ['CPU-time ratio', (r) => fixed(r.cpu_ratio, 3)],
  ['peak MB', (r) => String(r.peak_mb)],
  ['PyTorch peak MB', (r) => (r.torch_peak_mb === null ? '—' : String(r.torch_peak_mb))],
  ['tensors before→after (leaked)', (r) => `${r.tensors_before}→${r.tensors_after} (${r.tensors_leaked})`],
  ['first loss (PyTorch)', (r) => (r.first_loss === null ? (r.tokens_matching_torch === null ? '—' : `${r.tokens_matching_torch} tokens = PyTorch`) : `${r.first_loss.toFixed(6)} (${fixed(r.torch_first_loss, 6)})`)],
]

export function formatTable(rows: BenchRow[], style: 'table' | 'markdown'): string {
  const cells = rows.map((r) => columns.map(([, f]) => f(r)))
  const heads = columns.map(([h]) => h)
  if (style === 'markdown') {
    const line = (xs: string[]) => `| ${xs.join(' | ')} |`
    return [line(heads), line(heads.map(() => '---')), ...cells.map(line)].join('\n')
  }
  const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i]!)).join('  ')
  return [line(heads), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}
