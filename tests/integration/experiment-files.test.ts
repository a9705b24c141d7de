/** Rename, clone and delete: history rows and the experiment folder stay consistent. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cloneExperiment, deleteExperiment, experimentDir } from '../../src-main/api/experiment-files'
import { createApp } from '../../src-main/app'
import { makeTempHome } from '../helpers/temp-home'

describe('experiment rename, clone and delete', () => {
  const home = makeTempHome()
  const app = createApp({ dataDir: home.dir, host: 'web', startEngine: false })
  afterAll(async () => {
    await app.close()
    home.cleanup()
  })

  it('renames, refusing a name that is taken or empty', () => {
    const a = app.history.experiments.create({ name: 'a', config: {}, backbone: 'b' })
    app.history.experiments.create({ name: 'taken', config: {}, backbone: 'b' })
    app.history.experiments.rename(a.id, '  renamed  ')
    expect(app.history.experiments.get(a.id)!.name).toBe('renamed')
    expect(() => app.history.experiments.rename(a.id, 'taken')).toThrow('An experiment named "taken" already exists. Choose another name.')
    expect(() => app.history.experiments.rename(a.id, '   ')).toThrow('An experiment name cannot be empty.')
  })

  it('clones with the same config under a free name, queued and without history', () => {
    const source = app.history.experiments.create({ name: 'base', config: { experiment_name: 'base', training: { lora_r: 8 } }, backbone: 'org/m' })
    app.history.metrics.append(source.id, [{ step: 1, epoch: 0, name: 'train/loss', value: 1, time: 1 }])
    const first = cloneExperiment(app, source.id)
    const second = cloneExperiment(app, source.id)
    expect([first.name, second.name]).toEqual(['base (2)', 'base (3)'])
    expect(first).toMatchObject({ status: 'queued', backbone: 'org/m', progress: 0 })
    expect(app.history.experiments.config(first.id)).toEqual({ experiment_name: 'base (2)', training: { lora_r: 8 } })
    expect(app.history.metrics.list(first.id)).toEqual([])
  })

  it('deletes the row, its metrics and logs, and its folder; not while it runs', () => {
    const doomed = app.history.experiments.create({ name: 'doomed', config: {}, backbone: 'b' })
    const folder = experimentDir(app, doomed.id)
    fs.mkdirSync(path.join(folder, 'checkpoints'), { recursive: true })
    fs.writeFileSync(path.join(folder, 'checkpoints', 'last.safetensors'), 'x')
    app.history.metrics.append(doomed.id, [{ step: 1, epoch: 0, name: 'train/loss', value: 1, time: 1 }])
    app.history.logs.append(doomed.id, 'info', 'hello')

    app.history.experiments.setStatus(doomed.id, 'running')
    expect(() => deleteExperiment(app, doomed.id)).toThrow('"doomed" is running. Stop it first, then delete it.')
    app.history.experiments.setStatus(doomed.id, 'stopped')

    deleteExperiment(app, doomed.id)
    expect(app.history.experiments.get(doomed.id)).toBeUndefined()
    expect(app.history.metrics.list(doomed.id)).toEqual([])
    expect(app.history.logs.list(doomed.id)).toEqual([])
    expect(fs.existsSync(folder)).toBe(false)
    expect(() => deleteExperiment(app, doomed.id)).toThrow(`No experiment with id ${doomed.id}.`)
  })
})
