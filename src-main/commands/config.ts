import fs from 'node:fs'
import { configFromYaml, configToYaml, crossFieldIssues, defaultConfig, formatIssue, type ConfigIssue } from '../../src-shared/config'
import { parseCommandArgs, UsageError, type Command } from './command'

const help = `Usage: finetune-studio config defaults
       finetune-studio config check FILE [--train-rows N] [--openai-endpoint] [--strict]

defaults   print the default experiment config as YAML (H2O LLM Studio's cfg.yaml layout)
check      read a cfg.yaml (ours or H2O LLM Studio's) and print the problems found.
           Exit status: 1 when there are errors (the app would refuse to start it), else 0; warnings
           are printed and, with --strict, count as problems too.

Options for check:
  --train-rows N      rows of the training data, to check that validation leaves rows to train on
  --openai-endpoint   an OpenAI-compatible endpoint is configured (for metric "OpenAI API")
  --strict            exit 1 on warnings too (the tutorial's own defaults carry one: temperature without sampling)`

function printIssue(found: ConfigIssue): void {
  const line = `${found.severity}${found.field ? ` ${found.field}` : ''}: ${formatIssue(found, 'en')}`
  if (found.severity === 'note') console.log(line)
  else console.error(line)
}

async function check(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('config check', help, argv, { 'train-rows': { type: 'string' }, 'openai-endpoint': { type: 'boolean' }, strict: { type: 'boolean' } }, true)
  if (!parsed) return 0
  const [file, ...extra] = parsed.positionals
  if (file === undefined || extra.length > 0) throw new UsageError(`finetune-studio config check: give exactly one FILE.\n\n${help}`)
  const rowsText = parsed.values['train-rows']
  const trainRows = rowsText === undefined ? undefined : Number(rowsText)
  if (trainRows !== undefined && !(Number.isInteger(trainRows) && trainRows >= 0)) {
    throw new UsageError(`finetune-studio config check: --train-rows must be a whole number, got "${rowsText}".`)
  }
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    console.error(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  const loaded = configFromYaml(text)
  // Without Settings (the CLI has none yet) the endpoint is unknown unless the flag says it is there.
  const openAiEndpointConfigured = parsed.values['openai-endpoint'] ? true : undefined
  // Cross-field checks on a file with rejected values would judge defaults standing in for them: skip.
  const loadFailed = loaded.issues.some((i) => i.severity === 'error')
  const issues = loadFailed ? loaded.issues : [...loaded.issues, ...crossFieldIssues(loaded.config, { trainRows, openAiEndpointConfigured })]
  issues.forEach(printIssue)
  const errors = issues.filter((i) => i.severity === 'error').length
  const warnings = issues.filter((i) => i.severity === 'warning').length
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  console.log(errors + warnings === 0 ? `${file}: no problems found.` : `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`)
  return errors > 0 || (parsed.values.strict && warnings > 0) ? 1 : 0
}

export const configCommand: Command = {
  name: 'config',
  summary: 'print the default experiment config, or check a cfg.yaml',
  async run(argv) {
    const [action, ...rest] = argv
    if (action === 'defaults') {
      if (!parseCommandArgs('config defaults', help, rest, {})) return 0
      process.stdout.write(configToYaml(defaultConfig()))
      return 0
    }
    if (action === 'check') return check(rest)
    if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
      console.log(help)
      return action === undefined ? 2 : 0
    }
    throw new UsageError(`finetune-studio config: unknown action "${action}".\n\n${help}`)
  },
}
