/** Experiment operations that touch both the history and the experiment's folder on disk. */
import fs from 'node:fs'
import path from 'node:path'
import type { ExperimentSummary } from '../../src-shared/entities'
import type { AppServices } from '../app'
import { UserError } from '../../src-shared/user-error'

export function experimentDir(app: Pick<AppServices, 'layout'>, id: string): string {
  return path.join(app.layout.experiments, id)
}

export function deleteExperiment(app: AppServices, id: string): void {
  const experiment = app.history.experiments.get(id)
  if (!experiment) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
  if (app.supervisor.isRunning(id) || experiment.status === 'running') {
    throw new UserError(`"${experiment.name}" is running. Stop it first, then delete it.`, 'experimentRunningDelete', { name: experiment.name })
  }
  // The row goes first: a crash between the two steps leaves an orphan folder, never a row without files.
  app.history.experiments.delete(id)
  fs.rmSync(experimentDir(app, id), { recursive: true, force: true })
}

export function cloneExperiment(app: AppServices, id: string): ExperimentSummary {
  const source = app.history.experiments.get(id)
  if (!source) throw new UserError(`No experiment with id ${id}.`, 'experimentMissing', { id })
  const name = app.history.experiments.freeName(source.name)
  const config = app.history.experiments.config(id)
  // The config carries its own experiment_name: the clone's must match its row.
  const cloned = config && typeof config === 'object' && 'experiment_name' in config ? { ...config, experiment_name: name } : config
  return app.history.experiments.create({ name, config: cloned, backbone: source.backbone, datasetId: source.datasetId })
}
