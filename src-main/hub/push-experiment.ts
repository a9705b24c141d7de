/**
 * What a push of an experiment's export sends: the folder resolved from the experiment id and kind (the
 * renderer never names a host path), and the model card's facts read from the experiment itself — its
 * backbone, a Hub dataset it was trained on, its main settings and its best metric.
 */
import path from 'node:path'
import { ConfigSchema } from '../../src-shared/config'
import type { ExportKind } from '../../src-shared/exports'
import type { AppServices } from '../app'
import { exportedFolder } from '../api/experiment-artifacts'
import type { PushOptions } from './push'

export interface ExperimentPushRequest {
  experimentId: string
  kind: ExportKind
  repo: string
  private: boolean
  license?: string
}

/** The Hub dataset id of a dataset imported from the Hub (source "hf:org/name@commit/…"), else undefined. */
function hubDatasetId(source: string | undefined): string | undefined {
  return /^hf:([\w.-]+\/[\w.-]+)@/.exec(source ?? '')?.[1]
}

/** A Hub id as it is; a local folder by its name only (a public model card must not show the user's paths). */
function publicModelName(backbone: string): string {
  return path.isAbsolute(backbone) || backbone.startsWith('.') ? path.basename(backbone) : backbone.split('@')[0]!
}

export function experimentPushOptions(app: Pick<AppServices, 'history' | 'layout'>, request: ExperimentPushRequest): Omit<PushOptions, 'onProgress'> {
  const folder = exportedFolder(app, request.experimentId, request.kind)
  const experiment = app.history.experiments.get(request.experimentId)!
  const parsed = ConfigSchema.safeParse(app.history.experiments.config(request.experimentId))
  const settings: Record<string, string | number | boolean> = {}
  if (parsed.success) {
    const { training: t, tokenizer } = parsed.data
    Object.assign(settings, { epochs: t.epochs, batch_size: t.batch_size, learning_rate: t.learning_rate, optimizer: t.optimizer, max_length: tokenizer.max_length })
    if (t.lora) Object.assign(settings, { lora_r: t.lora_r, lora_alpha: t.lora_alpha, lora_target_modules: t.lora_target_modules || 'all linear layers' })
  }
  const dataset = experiment.datasetId ? app.history.datasets.get(experiment.datasetId) : undefined
  const hubDataset = hubDatasetId(dataset?.source)
  return {
    folder,
    repo: request.repo,
    private: request.private,
    card: {
      baseModel: publicModelName(experiment.backbone),
      kind: request.kind,
      license: request.license ?? null,
      datasets: hubDataset ? [hubDataset] : undefined,
      datasetDescription: dataset && !hubDataset ? `${dataset.name} (${dataset.rows} rows, a local file)` : undefined,
      settings,
      metrics: experiment.bestMetric ? { [experiment.bestMetric.name]: experiment.bestMetric.value } : undefined,
    },
  }
}
