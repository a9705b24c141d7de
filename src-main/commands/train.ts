/** `finetune-studio train CONFIG.yaml [--output DIR]`: one experiment, headless, in this process. */
import fs from 'node:fs'
import path from 'node:path'
import { configFromYaml, formatIssue, validateConfig, type Config } from '../../src-shared/config'
import type { EngineToHost } from '../../src-shared/engine-protocol'
import { startInProcessEngine } from '../../src-engine/inference'
import { train } from '../../src-engine/training/trainer'
import { parseCommandArgs, UsageError, type Command } from './command'
import { backendHelp, parseBackend } from './engine-args'

const help = `Usage: finetune-studio train CONFIG.yaml [--output DIR] [--resume] [--merged] [--backend NAME]

Runs one fine-tuning experiment headless: reads a cfg.yaml (this app's or H2O LLM Studio's layout), trains,
evaluates, and writes the experiment folder: cfg.yaml, logs.txt, metrics.csv, predictions.csv,
checkpoints/, adapter/ (a PEFT LoRA adapter). dataset.train_dataframe, dataset.validation_dataframe and
llm_backbone may be paths relative to CONFIG.yaml's folder. Progress goes to stderr; Ctrl-C stops at the
next step after saving a checkpoint (continue with --resume).

Options:
  --output DIR       the experiment folder (default: output_directory from the config, else
                     ./output/<experiment_name>)
  --resume           continue from DIR/checkpoints/last
  --merged           also write merged/: the backbone with the LoRA update merged in, a Hugging Face
                     model folder (full fine-tuning always writes it)
${backendHelp.replace('(default auto;', '(default: environment.backend;')}`

/** A relative path in the YAML, taken from the YAML's folder when something is there. */
function fromYamlFolder(value: string, yamlDir: string): string {
  if (value === '' || path.isAbsolute(value)) return value
  const candidate = path.resolve(yamlDir, value)
  return fs.existsSync(candidate) ? candidate : value
}

export function resolveConfigPaths(config: Config, yamlDir: string): Config {
  return {
    ...config,
    llm_backbone: fromYamlFolder(config.llm_backbone, yamlDir),
    dataset: {
      ...config.dataset,
      train_dataframe: fromYamlFolder(config.dataset.train_dataframe, yamlDir),
      validation_dataframe: config.dataset.validation_dataframe === null ? null : fromYamlFolder(config.dataset.validation_dataframe, yamlDir),
    },
  }
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

function duration(seconds: number | null): string {
  if (seconds === null) return '--:--'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'fine-tune a model headless from a cfg.yaml; writes the experiment folder and a PEFT adapter',
  async run(argv) {
    const parsed = parseCommandArgs('train', help, argv, { output: { type: 'string' }, resume: { type: 'boolean' }, merged: { type: 'boolean' }, backend: { type: 'string' } }, true)
    if (!parsed) return 0
    const [file, ...extra] = parsed.positionals
    if (!file || extra.length > 0) throw new UsageError(`finetune-studio train: give exactly one CONFIG.yaml.\n\n${help}`)
    if (!fs.existsSync(file)) throw new UsageError(`finetune-studio train: ${file} does not exist.`)
    const loaded = configFromYaml(fs.readFileSync(file, 'utf8'))
    const config = resolveConfigPaths(loaded.config, path.dirname(path.resolve(file)))
    const validation = validateConfig(config, { requireTrainData: true, openAiEndpointConfigured: false })
    const issues = [...loaded.issues, ...validation.issues]
    for (const found of issues.filter((i) => i.severity !== 'note')) console.error(`${found.severity}${found.field ? ` ${found.field}` : ''}: ${formatIssue(found, 'en')}`)
    if (!validation.config || issues.some((i) => i.severity === 'error')) {
      console.error(`finetune-studio train: ${file} has errors; nothing was trained.`)
      return 2
    }
    const outputDir = path.resolve(parsed.values.output ?? (config.output_directory !== '' ? config.output_directory : path.join('output', config.experiment_name)))
    const backend = parsed.values.backend !== undefined ? parseBackend('train', parsed.values.backend) : config.environment.backend
    const chosen = await startInProcessEngine(backend)
    fs.mkdirSync(outputDir, { recursive: true })
    const logFile = path.join(outputDir, 'logs.txt')
    const metricsFile = path.join(outputDir, 'metrics.csv')
    if (!parsed.values.resume || !fs.existsSync(metricsFile)) fs.writeFileSync(metricsFile, 'step,epoch,name,value\n')
    const logLine = (text: string) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${text}\n`)
    logLine(`backend ${chosen.backend} (${chosen.device}); ${chosen.precisionNote}`)
    const interactive = process.stderr.isTTY
    let progressShown = false
    const clearProgress = () => {
      if (progressShown && interactive) process.stderr.write('\r\x1b[K')
      progressShown = false
    }
    let lastLoss: number | null = null
    let cancelled = false
    const onSigint = () => {
      if (cancelled) process.exit(130)
      cancelled = true
      clearProgress()
      console.error('Stopping after this step (a checkpoint is saved); press Ctrl-C again to quit at once.')
    }
    process.on('SIGINT', onSigint)
    const emit = (event: EngineToHost) => {
      switch (event.type) {
        case 'progress': {
          const line = `${bar(event.step / event.totalSteps)} step ${event.step}/${event.totalSteps} epoch ${event.epoch.toFixed(2)}${lastLoss !== null ? ` loss ${lastLoss.toFixed(4)}` : ''} ETA ${duration(event.etaSeconds)}`
          if (interactive) {
            process.stderr.write(`\r\x1b[K${line}`)
            progressShown = true
          } else if (event.step === event.totalSteps || event.step % 10 === 0) {
            console.error(line)
          }
          return
        }
        case 'metrics':
          if (event.values['train/loss'] !== undefined) lastLoss = event.values['train/loss']
          fs.appendFileSync(metricsFile, Object.entries(event.values).map(([name, value]) => `${event.step},${event.epoch},${name},${value}\n`).join(''))
          return
        case 'log':
          clearProgress()
          console.error(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}`)
          logLine(`${event.level} ${event.message}`)
          return
        case 'phase':
          logLine(`phase ${event.phase}${event.detail ? ` (${event.detail})` : ''}`)
          return
        case 'checkpoint':
          logLine(`checkpoint ${event.kind} at step ${event.step}: ${event.path}`)
          return
        case 'best':
          logLine(`best ${event.name} ${event.value} at step ${event.step}`)
          return
        default:
          return
      }
    }
    try {
      const outcome = await train({ config: validation.config, experimentDir: outputDir, resume: parsed.values.resume ?? false, emit, isCancelled: () => cancelled, ...(parsed.values.merged ? { exportMerged: true } : {}) })
      clearProgress()
      if (outcome.status === 'cancelled') {
        console.error(`Stopped at step ${outcome.step}; continue with: finetune-studio train ${file} --output ${outputDir} --resume`)
        logLine(`cancelled at step ${outcome.step}`)
        return 130
      }
      logLine(`done ${JSON.stringify(outcome.summary)}`)
      console.error(`Done: ${outcome.step} steps; the experiment folder is ${outputDir}${outcome.summary.adapter ? ` (adapter: ${String(outcome.summary.adapter)})` : ''}.`)
      return 0
    } catch (error) {
      clearProgress()
      logLine(`failed ${error instanceof Error ? error.message : String(error)}`)
      throw error
    } finally {
      process.off('SIGINT', onSigint)
    }
  },
}
