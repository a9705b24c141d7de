/** Argument parsing shared by the headless engine commands (forward, generate). */
import { backendChoices, type BackendChoice } from '../../src-shared/engine-protocol'
import { UsageError } from './command'

export function parseIds(command: string, text: string): number[] {
  const parts = text.trim().split(/[\s,]+/).filter(Boolean)
  const ids = parts.map(Number)
  const bad = parts.find((p, i) => !Number.isInteger(ids[i]) || ids[i]! < 0)
  if (bad !== undefined || ids.length === 0) throw new UsageError(`finetune-studio ${command}: --ids must be whole numbers ≥ 0 separated by spaces, e.g. "1 2 3"${bad !== undefined ? ` (got "${bad}")` : ''}.`)
  return ids
}

export function parseNumber(command: string, flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`finetune-studio ${command}: --${flag} must be ${integer ? 'a whole number' : 'a number'}, got "${value}".`)
  return n
}

export function parseBackend(command: string, value: string | undefined): BackendChoice {
  if (value === undefined) return 'auto'
  if (!(backendChoices as readonly string[]).includes(value)) throw new UsageError(`finetune-studio ${command}: --backend must be one of ${backendChoices.join(', ')}, got "${value}".`)
  return value as BackendChoice
}

export const backendHelp = `  --backend NAME     tensor backend: ${backendChoices.join(', ')} (default auto; FINETUNE_STUDIO_BACKEND overrides)`
