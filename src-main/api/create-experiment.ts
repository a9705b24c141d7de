/**
 * Saving a new experiment from a Config: the same checks the form ran, now with what only the host
 * knows (the training data's row count), then a queued row and the experiment folder with its cfg.yaml.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ORPCError } from '@orpc/server'
import { crossFieldIssues, configToYaml, formatIssue, hasErrors, type Config } from '../../src-shared/config'
import type { ExperimentSummary } from '../../src-shared/entities'
import type { AppServices } from '../app'
import { UserError } from '../../src-shared/user-error'

export function createExperiment(app: Pick<AppServices, 'history' | 'layout'> & Partial<Pick<AppServices, 'judge'>>, config: Config): ExperimentSummary {
  const dataset = app.history.datasets.get(config.dataset.train_dataframe)
  const issues = crossFieldIssues(config, {
    trainRows: dataset?.rows,
    requireTrainData: true,
    openAiEndpointConfigured: (app.judge?.endpoint() ?? null) !== null,
  })
  if (hasErrors(issues)) {
    const errors = issues.filter((i) => i.severity === 'error')
    throw new ORPCError('BAD_REQUEST', { message: errors.map((i) => formatIssue(i)).join(' '), data: { issues } })
  }
  let created: ExperimentSummary
  try {
    created = app.history.experiments.create({ name: config.experiment_name, config, backbone: config.llm_backbone, datasetId: dataset?.id ?? null })
  } catch (error) {
    // The repository's message says what to change (a duplicate experiment_name); let it reach the user.
    const data = error instanceof UserError ? { code: error.code, ...error.params } : undefined
    throw new ORPCError('CONFLICT', { message: error instanceof Error ? error.message : String(error), data, cause: error })
  }
  const folder = path.join(app.layout.experiments, created.id)
  fs.mkdirSync(folder, { recursive: true })
  fs.writeFileSync(path.join(folder, 'cfg.yaml'), configToYaml(config))
  return created
}
