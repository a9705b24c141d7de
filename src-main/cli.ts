/**
 * `finetune-studio`: the command-line face of the app. `serve` runs the web host (no Electron needed);
 * the engine commands run headless. Each command lives in src-main/commands/ and registers here.
 */
import { commands } from './commands'
import { APP_VERSION } from './version'

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    `Finetune Studio ${APP_VERSION} — fine-tune Hugging Face LLMs on your own data.`,
    '',
    'Usage: finetune-studio <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `finetune-studio <command> --help` for a command\'s options.',
    'Data folder: $FINETUNE_STUDIO_HOME, else the desktop app\'s data folder.',
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION)
    return 0
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage()}`)
    return 2
  }
  return command.run(rest)
}
