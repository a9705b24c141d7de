import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface Command {
  name: string
  summary: string
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>
}

/** parseArgs with an error a user can act on, and --help handled the same way for every command. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  help: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true })
    if ((parsed.values as Record<string, unknown>).help) {
      console.log(help)
      return null
    }
    return parsed
  } catch (error) {
    throw new UsageError(`finetune-studio ${command}: ${error instanceof Error ? error.message : String(error)}\n\n${help}`)
  }
}

export class UsageError extends Error {}
