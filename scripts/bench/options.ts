/** `npm run bench -- [options]`: what to run and how to print it. */
import { parseArgs } from 'node:util'
import { backendChoices, type BackendChoice } from '../../src-shared/engine-protocol'
import { caseNames, type CaseName } from './cases'
import { benchModes, type BenchMode } from './engine-modes'

export type Rung = Exclude<BackendChoice, 'auto'>
export const allRungs = backendChoices.filter((b): b is Rung => b !== 'auto')

export interface BenchOptions {
  cases: CaseName[]
  modes: BenchMode[]
  backends: Rung[]
  /** true when --backends named them: then slow combinations run too. */
  backendsExplicit: boolean
  /** Timed steps per mode; null: the per-case default. */
  steps: number | null
  warmup: number
  torch: boolean
  torchThreads: number
  output: 'table' | 'json' | 'markdown'
  keep: boolean
  /** Also append every row as a JSON line to this file. */
  save: string | null
  /** The fused kernels off (FINETUNE_STUDIO_FUSED=0): the composed ops, to measure what fusing pays. */
  unfused: boolean
  /** Where the PyTorch twin runs: 'cuda' on a GPU machine, to compare the webgpu backend with PyTorch CUDA. */
  torchDevice: 'cpu' | 'cuda'
}

export const usage = `npm run bench -- [--json | --markdown] [--cases ${caseNames.join(',')}] [--modes ${benchModes.join(',')}]
  [--backends ${allRungs.join(',')}] [--steps N] [--warmup N] [--torch-threads N] [--torch-device cpu|cuda]
  [--no-torch] [--unfused] [--keep] [--save FILE.jsonl]`

function list<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T[] | null {
  if (value === undefined) return null
  const items = value.split(',').map((s) => s.trim()).filter(Boolean)
  const wrong = items.filter((s) => !(allowed as readonly string[]).includes(s))
  if (wrong.length > 0 || items.length === 0) throw new Error(`--${flag}: ${wrong.join(', ') || 'empty'} is not one of ${allowed.join(', ')}.`)
  return items as T[]
}

function count(flag: string, value: string | undefined, min: number): number | null {
  if (value === undefined) return null
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number ≥ ${min}, got "${value}".`)
  return n
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' }, markdown: { type: 'boolean' }, cases: { type: 'string' }, modes: { type: 'string' },
      backends: { type: 'string' }, steps: { type: 'string' }, warmup: { type: 'string' }, 'torch-threads': { type: 'string' },
      'no-torch': { type: 'boolean' }, keep: { type: 'boolean' }, save: { type: 'string' }, help: { type: 'boolean' },
      unfused: { type: 'boolean' }, 'torch-device': { type: 'string' },
    },
  })
  if (values.help) throw new Error(usage)
  const backends = list('backends', values.backends, allRungs)
  return {
    cases: list('cases', values.cases, caseNames) ?? [...caseNames],
    modes: list('modes', values.modes, benchModes) ?? [...benchModes],
    backends: backends ?? [...allRungs],
    backendsExplicit: backends !== null,
    steps: count('steps', values.steps, 1),
    warmup: count('warmup', values.warmup, 1) ?? 1,
    torch: !values['no-torch'],
    torchThreads: count('torch-threads', values['torch-threads'], 1) ?? 1,
    output: values.json ? 'json' : values.markdown ? 'markdown' : 'table',
    keep: values.keep ?? false,
    save: values.save ?? null,
    unfused: values.unfused ?? false,
    torchDevice: list('torch-device', values['torch-device'], ['cpu', 'cuda'] as const)?.[0] ?? 'cpu',
  }
}
