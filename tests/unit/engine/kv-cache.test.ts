/**
 * The KV cache against recomputation, left-padded batches against single rows, and memory: the count of
 * live tensors does not grow over 1,000 generated tokens.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIds, ModelStepper, generateStream, leftPad } from '../../../src-engine/generation'
import { KV_BLOCK } from '../../../src-engine/models/kv-cache'
import { loadModel } from '../../../src-engine/models/registry'
import { fixtureArchs, fixtureRoot, maxAbsDiff, useCpuBackend, type Reference } from './helpers'
import { llamaShapes, randomWeights, tinyLlamaConfig, tinyLlamaDims, toStored, writeModelFolder } from './tiny-model'

beforeAll(useCpuBackend)

describe.each(fixtureArchs)('%s', (arch) => {
  const ref = JSON.parse(fs.readFileSync(path.join(fixtureRoot, 'ref', `${arch}.json`), 'utf8')) as Reference
  const [a, b] = ref.inputs.map((i) => i.input_ids) as [number[], number[]]

  it('KV-cache generation equals recomputation (tokens exact, scores ≤ 1e-5)', async () => {
    const { model } = loadModel(path.join(fixtureRoot, 'models', arch))
    const options = { maxNewTokens: 12, eosTokenIds: [], padTokenId: 0, outputScores: true }
    const cached = await generateIds(model, [b], options)
    const recomputed = await generateIds(model, [b], { ...options, useCache: false })
    model.dispose()
    expect(cached.ids).toEqual(recomputed.ids)
    const diff = Math.max(...cached.scores.map((s, i) => maxAbsDiff(s[0]!, recomputed.scores[i]![0]!)))
    expect(diff).toBeLessThanOrEqual(1e-5)
  })

  it('a left-padded batch gives each row what it gives alone', async () => {
    const { model } = loadModel(path.join(fixtureRoot, 'models', arch))
    const options = { maxNewTokens: 8, eosTokenIds: [], padTokenId: 0, outputScores: true }
    const batch = await generateIds(model, [a, b], options)
    model.dispose()
    for (const [row, g] of ref.generate.entries()) {
      expect(batch.ids[row]).toEqual(g.new_tokens)
      const diff = Math.max(...batch.scores.map((s, i) => maxAbsDiff(s[row]!, g.scores[i]!)))
      expect(diff).toBeLessThanOrEqual(1e-4)
    }
  })
})

describe('across cache blocks', () => {
  it(`past ${2 * KV_BLOCK} positions (settled + recent segments), cached generation still equals recomputation, greedy and beam`, async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-blocks-'))
    try {
      const shapes = llamaShapes({ ...tinyLlamaDims, layers: 1 })
      writeModelFolder(folder, tinyLlamaConfig({ num_hidden_layers: 1 }), toStored(randomWeights(shapes, 5), shapes))
      const { model } = loadModel(folder)
      const prompts = [[1, 40, 41, 42, 43], [1, 44]]
      const greedy = { maxNewTokens: 2 * KV_BLOCK + 7, eosTokenIds: [], padTokenId: 0, outputScores: true }
      const cached = await generateIds(model, prompts, greedy)
      const recomputed = await generateIds(model, prompts, { ...greedy, useCache: false })
      expect(cached.ids).toEqual(recomputed.ids)
      const diff = Math.max(...cached.scores.flatMap((s, i) => s.map((row, b) => maxAbsDiff(row, recomputed.scores[i]![b]!))))
      expect(diff).toBeLessThanOrEqual(1e-5)
      const beam = { maxNewTokens: KV_BLOCK + 3, numBeams: 2, eosTokenIds: [], padTokenId: 0 }
      expect((await generateIds(model, [prompts[0]!], beam)).ids).toEqual((await generateIds(model, [prompts[0]!], { ...beam, useCache: false })).ids)
      model.dispose()
    } finally {
      fs.rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('beam search on a model', () => {
  it('a left-padded batch of prompts gives each prompt its own beam search result', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(fixtureRoot, 'ref', 'qwen2.json'), 'utf8')) as Reference
    const [a, b] = ref.inputs.map((i) => i.input_ids) as [number[], number[]]
    const { model } = loadModel(path.join(fixtureRoot, 'models', 'qwen2'))
    const options = { maxNewTokens: 6, numBeams: 3, eosTokenIds: [2], padTokenId: 0 }
    const batch = await generateIds(model, [a, b], options)
    const alone = [await generateIds(model, [a], options), await generateIds(model, [b], options)]
    model.dispose()
    expect(batch.ids).toEqual(alone.map((r) => r.ids[0]))
    batch.beamScores!.forEach((score, i) => expect(score).toBeCloseTo(alone[i]!.beamScores![0]!, 4))
  })
})

describe('memory', () => {
  let dir: string | undefined

  it('greedy, sampling, beam search and padded batches leave no tensor behind', async () => {
    const { model } = loadModel(path.join(fixtureRoot, 'models', 'llama'))
    const before = tf.memory().numTensors
    await generateIds(model, [[1, 45, 78], [1, 43]], { maxNewTokens: 6, eosTokenIds: [2], padTokenId: 0 })
    await generateIds(model, [[1, 45, 78]], { maxNewTokens: 6, doSample: true, topP: 0.9, seed: 3 })
    await generateIds(model, [[1, 45, 78], [1, 43]], { maxNewTokens: 6, numBeams: 3, eosTokenIds: [2], padTokenId: 0 })
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('the tensor count does not grow over 1,000 generated tokens', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-engine-mem-'))
    dir = folder
    const shapes = llamaShapes({ ...tinyLlamaDims, layers: 1 })
    writeModelFolder(folder, tinyLlamaConfig({ num_hidden_layers: 1 }), toStored(randomWeights(shapes, 11), shapes))
    const { model } = loadModel(folder)
    const before = tf.memory().numTensors
    const counts: number[] = []
    const prompt = [1, 40, 41]
    const stepper = new ModelStepper(model, [prompt], { padTokenId: 0 })
    const started = performance.now()
    let produced = 0
    for await (const step of generateStream(stepper, { promptIds: leftPad([prompt], 0).ids, maxNewTokens: 1000, eosTokenIds: [] })) {
      produced += step.tokens.filter((t) => t !== null).length
      // from step KV_BLOCK on, every layer holds its two cache segments (kv-cache.ts): the count is then constant
      if (step.step === KV_BLOCK + 10 || step.step === 999) counts.push(tf.memory().numTensors)
    }
    const seconds = (performance.now() - started) / 1000
    console.log(`[memory] 1,000 tokens on a 1-layer llama (cpu backend): ${(produced / seconds).toFixed(0)} tokens/s; live tensors at steps ${KV_BLOCK + 10} and 999: ${counts.join(', ')}`)
    expect(produced).toBe(1000)
    expect(counts[1]).toBe(counts[0])
    stepper.dispose()
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })
})
