// Saving an experiment on the host: the same checks as the form, plus the row count only the host knows.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ORPCError } from '@orpc/server'
import { createExperiment } from '../../../src-main/api/create-experiment'
import { openHistory } from '../../../src-main/db'
import { dataLayout } from '../../../src-main/paths'
import { ConfigSchema, configFromYaml, defaultConfig, setPath, type Config } from '../../../src-shared/config'
import { makeTempHome } from '../../helpers/temp-home'

const home = makeTempHome()
const layout = dataLayout(home.dir)
const history = openHistory(layout.database)
afterAll(() => {
  history.close()
  home.cleanup()
})

const dataset = history.datasets.create({ name: 'tiny.csv', source: 'file:/tmp/tiny.csv', path: '/tmp/tiny.csv', format: 'csv', rows: 40, columns: ['instruction', 'output'] })
const withData = (changes: Record<string, unknown> = {}) =>
  Object.entries({ 'dataset.train_dataframe': dataset.id, ...changes }).reduce<Config>((c, [p, v]) => setPath(c, p, v), defaultConfig())

function rejection(config: Config): ORPCError<string, { issues: { code: string; severity: string }[] }> {
  try {
    createExperiment({ history, layout }, config)
  } catch (error) {
    return error as ORPCError<string, { issues: { code: string; severity: string }[] }>
  }
  throw new Error('expected a rejection')
}

describe('creating an experiment from a Config', () => {
  it('queues a row linked to the dataset and writes cfg.yaml into the experiment folder', () => {
    const config = withData()
    const created = createExperiment({ history, layout }, config)
    expect(created).toMatchObject({ name: config.experiment_name, status: 'queued', datasetId: dataset.id, backbone: config.llm_backbone })
    expect(history.experiments.config(created.id)).toEqual(config)
    const written = fs.readFileSync(path.join(layout.experiments, created.id, 'cfg.yaml'), 'utf8')
    expect(configFromYaml(written).config).toEqual(config)
  })

  it('rejects blocking issues with their list, using the dataset’s row count', () => {
    const error = rejection(withData({ 'training.batch_size': 64 }))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toContain('Only 39 training rows, fewer than batch_size (64)')
    const errorCodes = (config: Config) => rejection(config).data.issues.filter((i) => i.severity === 'error').map((i) => i.code)
    expect(errorCodes(withData({ 'training.batch_size': 64 }))).toEqual(['tooFewRowsForBatch'])
    expect(errorCodes(defaultConfig())).toEqual(['trainDataframeMissing'])
    expect(errorCodes(withData({ 'prediction.metric': 'OpenAI API' }))).toEqual(['openAiEndpointMissing'])
    // Warnings travel with the errors, so the form can show them all.
    expect(error.data.issues.map((i) => i.code)).toContain('temperatureWithoutSampling')
  })

  it('says so when the experiment name is taken', () => {
    const config = withData({ experiment_name: 'taken-name' })
    createExperiment({ history, layout }, config)
    const error = rejection(config)
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toContain('An experiment named "taken-name" already exists')
  })

  it('is guarded by the schema at the API boundary', () => {
    expect(ConfigSchema.safeParse(setPath(withData(), 'training.lora_r', 0)).success).toBe(false)
  })
})
