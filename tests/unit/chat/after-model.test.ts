/**
 * What the after pane answers with: the newest complete checkpoint of a running run, the memory its model
 * needs (checked by hand for GPT-2 small), and the reasons it cannot answer.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { latestCheckpoint, resolveAfterModel } from '../../../src-main/chat/after-model'
import { openHistory } from '../../../src-main/db'
import { defaultConfig, setPath } from '../../../src-shared/config'
import { estimateInferenceBytes, modelShape } from '../../../src-shared/memory-fit'
import { DEMO_BACKBONE_DIR } from '../../helpers/templated-backbone'
import { makeTempHome } from '../../helpers/temp-home'

function writeCheckpoint(dir: string, step: number, files = ['trainable.safetensors', 'optimizer.safetensors']): void {
  fs.mkdirSync(dir, { recursive: true })
  for (const f of files) fs.writeFileSync(path.join(dir, f), '')
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ step }))
}

describe('the after model of a running experiment', () => {
  const home = makeTempHome()
  afterAll(() => home.cleanup())

  it('picks the complete checkpoint with the highest step', () => {
    const run = path.join(home.dir, 'run')
    expect(latestCheckpoint(run)).toBeNull()
    writeCheckpoint(path.join(run, 'checkpoints', 'step-5'), 5)
    writeCheckpoint(path.join(run, 'checkpoints', 'last'), 10)
    writeCheckpoint(path.join(run, 'checkpoints', 'last.partial'), 15) // being written
    writeCheckpoint(path.join(run, 'checkpoints', 'step-20'), 20, []) // no weights yet
    expect(latestCheckpoint(run)).toEqual({ dir: path.join(run, 'checkpoints', 'last'), step: 10 })
    // The same step in a folder the trainer never rewrites wins over last.
    writeCheckpoint(path.join(run, 'checkpoints', 'step-10'), 10)
    expect(latestCheckpoint(run)).toEqual({ dir: path.join(run, 'checkpoints', 'step-10'), step: 10 })
  })

  it('estimates the model in float32, the key/value cache and the logits, plus 10 %', () => {
    // GPT-2 small: 124 439 808 parameters; 12 layers, 12 heads of 64; vocabulary 50 257.
    const shape = modelShape({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, n_positions: 1024 })
    const tokens = 100
    const byHand = 1.1 * (124_439_808 * 4 + 2 * 12 * tokens * 12 * 64 * 4 + 50257 * 4)
    expect(estimateInferenceBytes(shape, tokens)).toBeCloseTo(byHand, 0)
    expect(estimateInferenceBytes(shape, tokens, 1000)).toBeCloseTo(byHand + 1.1 * 4000, 0)
  })

  it('answers with the checkpoint when it fits, and says why not otherwise', () => {
    const history = openHistory(path.join(home.dir, 'studio.db'))
    try {
      const config = setPath(defaultConfig(), 'llm_backbone', DEMO_BACKBONE_DIR)
      const experiment = history.experiments.create({ name: 'running', config, backbone: DEMO_BACKBONE_DIR })
      history.experiments.setStatus(experiment.id, 'running')
      const experimentsDir = path.join(home.dir, 'experiments')
      const context = (free: number) => ({ history, experimentsDir, freeMemory: () => free })
      expect(resolveAfterModel(context(1e12), experiment.id, config, DEMO_BACKBONE_DIR).info.problem).toBe('noCheckpointYet')
      writeCheckpoint(path.join(experimentsDir, experiment.id, 'checkpoints', 'last'), 3)
      const fits = resolveAfterModel(context(1e12), experiment.id, config, DEMO_BACKBONE_DIR)
      expect(fits.info).toMatchObject({ source: 'checkpoint', step: 3, problem: null })
      expect(fits.ref).toEqual({ modelDir: DEMO_BACKBONE_DIR, adapterDir: null, checkpoint: { dir: path.join(experimentsDir, experiment.id, 'checkpoints', 'last'), step: 3 } })
      const short = resolveAfterModel(context(1000), experiment.id, config, DEMO_BACKBONE_DIR)
      expect(short.info).toMatchObject({ problem: 'lowMemory', freeBytes: 1000 })
      expect(short.ref).toBeNull()
      const full = setPath(config, 'training.lora', false)
      expect(resolveAfterModel(context(1e12), experiment.id, full, DEMO_BACKBONE_DIR).info.problem).toBe('notLora')
    } finally {
      history.close()
    }
  })

  it('uses merged/ when training added prompt/answer tokens, and refuses while such a run trains', () => {
    const history = openHistory(path.join(home.dir, 'added-tokens.db'))
    try {
      let config = setPath(defaultConfig(), 'llm_backbone', DEMO_BACKBONE_DIR)
      config = setPath(setPath(config, 'dataset.text_prompt_start', '<|prompt|>'), 'tokenizer.add_prompt_answer_tokens', true)
      const experiment = history.experiments.create({ name: 'added tokens', config, backbone: DEMO_BACKBONE_DIR })
      const experimentsDir = path.join(home.dir, 'experiments')
      const context = { history, experimentsDir, freeMemory: () => 1e12 }
      const dir = path.join(experimentsDir, experiment.id)
      history.experiments.setStatus(experiment.id, 'running')
      writeCheckpoint(path.join(dir, 'checkpoints', 'last'), 3)
      expect(resolveAfterModel(context, experiment.id, config, DEMO_BACKBONE_DIR)).toMatchObject({ info: { source: 'none', problem: 'addedTokens' }, ref: null })
      history.experiments.setStatus(experiment.id, 'finished')
      fs.mkdirSync(path.join(dir, 'adapter'), { recursive: true })
      fs.writeFileSync(path.join(dir, 'adapter', 'adapter_config.json'), '{}')
      expect(resolveAfterModel(context, experiment.id, config, DEMO_BACKBONE_DIR).info.problem).toBe('noWeights') // the adapter cannot hold the grown vocabulary
      fs.mkdirSync(path.join(dir, 'merged'), { recursive: true })
      fs.writeFileSync(path.join(dir, 'merged', 'config.json'), '{}')
      expect(resolveAfterModel(context, experiment.id, config, DEMO_BACKBONE_DIR)).toEqual({
        info: { source: 'merged', step: null, epoch: null, problem: null, neededBytes: null, freeBytes: null },
        ref: { modelDir: path.join(dir, 'merged'), adapterDir: null },
      })
      // with the option on but both markers empty, nothing is added: the adapter is used as usual
      const noMarkers = setPath(config, 'dataset.text_prompt_start', '')
      expect(resolveAfterModel(context, experiment.id, noMarkers, DEMO_BACKBONE_DIR).info.source).toBe('adapter')
    } finally {
      history.close()
    }
  })
})
