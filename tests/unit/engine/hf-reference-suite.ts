/**
 * The four tiny Hugging Face models of tests/fixtures/hf-reference against the numbers that transformers
 * 4.40.2 computed from them (see its README): logits, loss, greedy tokens and their scores. One suite, run
 * on each backend that must match transformers (hf-reference.test.ts: cpu; native-backend.test.ts: native).
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIds } from '../../../src-engine/generation'
import type { LoadedModel } from '../../../src-engine/models/registry'
import { loadModel } from '../../../src-engine/models/registry'
import { causalLmLoss } from '../../../src-engine/models/loss'
import { fixtureArchs, fixtureRoot, maxAbsDiff, type Reference } from './helpers'

/** Registers the suite; setup switches TensorFlow.js to the backend under test. */
export function describeHfReference(backend: string, setup: () => Promise<void>): void {
  const measured: Record<string, { logits: number; lossRel: number; scores: number }> = {}

  describe.each(fixtureArchs)(`%s matches transformers 4.40.2 on ${backend}`, (arch) => {
    let loaded: LoadedModel
    const ref = JSON.parse(fs.readFileSync(path.join(fixtureRoot, 'ref', `${arch}.json`), 'utf8')) as Reference
    const idsOf = (name: string) => ref.inputs.find((i) => i.name === name)!.input_ids
    measured[arch] = { logits: 0, lossRel: 0, scores: 0 }

    beforeAll(async () => {
      await setup()
      loaded = loadModel(path.join(fixtureRoot, 'models', arch))
    })
    afterAll(() => loaded.model.dispose())

    it('loads every tensor of the checkpoint', () => {
      expect(loaded.unusedTensors).toEqual([])
    })

    it.each(ref.forward.map((f) => [f.input, f] as const))('forward logits and loss on input %s', async (_, f) => {
      const ids = idsOf(f.input)
      const input = tf.tensor2d([ids], [1, ids.length], 'int32')
      const logits = tf.tidy(() => loaded.model.forward(input))
      const loss = causalLmLoss(logits, input)
      const values = await logits.data()
      const lossValue = (await loss.data())[0]!
      tf.dispose([input, logits, loss])
      const diff = maxAbsDiff(values, f.logits.flat())
      const lossRel = Math.abs(lossValue - f.loss) / Math.abs(f.loss)
      measured[arch]!.logits = Math.max(measured[arch]!.logits, diff)
      measured[arch]!.lossRel = Math.max(measured[arch]!.lossRel, lossRel)
      expect(diff).toBeLessThanOrEqual(ref.tolerances.logits_max_abs)
      expect(lossRel).toBeLessThanOrEqual(ref.tolerances.loss_rel)
    })

    it.each(ref.generate.map((g) => [g.input, g] as const))('greedy 8 tokens with KV cache on input %s', async (_, g) => {
      const result = await generateIds(loaded.model, [idsOf(g.input)], { maxNewTokens: 8, eosTokenIds: [], padTokenId: 0, outputScores: true })
      expect(result.ids[0]).toEqual(g.new_tokens)
      const diff = Math.max(...result.scores.map((step, i) => maxAbsDiff(step[0]!, g.scores[i]!)))
      measured[arch]!.scores = Math.max(measured[arch]!.scores, diff)
      expect(diff).toBeLessThanOrEqual(ref.tolerances.scores_max_abs)
    })
  })

  afterAll(() => {
    for (const [arch, m] of Object.entries(measured)) {
      console.log(`[hf-reference ${backend}] ${arch}: max |logits − ref| ${m.logits.toExponential(2)}, loss rel ${m.lossRel.toExponential(2)}, max |scores − ref| ${m.scores.toExponential(2)}`)
    }
  })
}
