/**
 * What a run left in its experiment folder, for the detail page: validation predictions (with their
 * scores), the exported adapter and merged model, the logs — and the small files' text for downloading.
 */
import fs from 'node:fs'
import path from 'node:path'
import Papa from 'papaparse'
import type { ExperimentArtifacts, PredictionRow } from '../../src-shared/entities'
import type { ExportKind } from '../../src-shared/exports'
import type { AppServices } from '../app'
import { experimentDir } from './experiment-files'
import { UserError } from '../../src-shared/user-error'

function folderBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name)
    return sum + (entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size)
  }, 0)
}

/** predictions.csv of the experiment folder (the latest evaluation's validation samples), or null before the first. */
export function readPredictions(dir: string): PredictionRow[] | null {
  const file = path.join(dir, 'predictions.csv')
  if (!fs.existsSync(file)) return null
  return Papa.parse<Record<string, string>>(fs.readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true }).data.map((row) => ({
    prompt: row.prompt ?? '',
    target: row.target ?? '',
    predicted: row.predicted ?? '',
    score: row.score === undefined || row.score === '' ? null : Number(row.score),
  }))
}

export function experimentArtifacts(app: AppServices, id: string): ExperimentArtifacts {
  if (!app.history.experiments.get(id)) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
  const dir = experimentDir(app, id)
  const predictions = readPredictions(dir)
  const folders = (['adapter', 'merged', 'checkpoints'] as const).flatMap((name) => {
    const full = path.join(dir, name)
    return fs.existsSync(full) ? [{ name, path: full, bytes: folderBytes(full) }] : []
  })
  return { folder: dir, predictions, folders }
}

/**
 * The folder of an experiment's exported adapter or merged model. Downloads and Hub pushes name an
 * experiment and a kind, never a path: the renderer cannot reach any other file on the host.
 */
export function exportedFolder(app: Pick<AppServices, 'history' | 'layout'>, id: string, kind: ExportKind): string {
  const experiment = app.history.experiments.get(id)
  if (!experiment) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
  const dir = path.join(experimentDir(app, id), kind)
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    const how = kind === 'adapter' ? 'it is written when a LoRA run finishes' : 'it is written by full fine-tuning runs (LoRA off); a LoRA run exports adapter/'
    throw new UserError(`"${experiment.name}" has no ${kind} folder: ${how}.`, 'exportMissing', { id, kind })
  }
  return dir
}

/** The text of a small artifact, to download from the page. */
export function artifactText(app: AppServices, id: string, artifact: 'predictions' | 'logs' | 'config'): string {
  const dir = experimentDir(app, id)
  if (artifact === 'logs') return app.history.logs.list(id, 0, 1_000_000).map((l) => `${new Date(l.time).toISOString()} ${l.level.toUpperCase()} ${l.message}`).join('\n') + '\n'
  const file = path.join(dir, artifact === 'predictions' ? 'predictions.csv' : 'cfg.yaml')
  if (!fs.existsSync(file)) throw new UserError(
      `${path.basename(file)} does not exist yet: ${artifact === 'predictions' ? 'it is written at the first evaluation' : 'the experiment was not saved from a Config'}.`,
      artifact === 'predictions' ? 'predictionsNotYet' : 'artifactMissing',
      { file: path.basename(file) },
    )
  return fs.readFileSync(file, 'utf8')
}
