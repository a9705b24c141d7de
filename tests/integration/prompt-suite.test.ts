/**
 * The prompt suite and the chat-template prompt format with a real inference child: the demo trained for a
 * few epochs, its validation samples offered as prompts, "Run all" on before and after (the after answers
 * are the trained model's validation answers, scored with the same BLEU), results saved and reopened.
 */
import fs from 'node:fs'
import path from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppServices } from '../../src-main/app'
import { setupDemo } from '../../src-main/demo'
import type { ChatChunk } from '../../src-shared/chat'
import { defaultConfig, setPath } from '../../src-shared/config'
import type { SuiteProgress } from '../../src-shared/prompt-suite'
import { writeDemoAdapter } from '../helpers/demo-adapter'
import { writeTemplatedBackbone } from '../helpers/templated-backbone'
import { makeTempHome } from '../helpers/temp-home'

describe('prompt suite on the trained demo', () => {
  const home = makeTempHome()
  const dataDir = path.join(home.dir, 'data')
  let app: AppServices
  let demoId: string

  beforeAll(async () => {
    app = createApp({ dataDir, host: 'web', startEngine: false })
    demoId = (await setupDemo(app, 24)).id
    await app.supervisor.idle()
    expect(app.history.experiments.get(demoId)!.status).toBe('finished')
  }, 600_000)

  afterAll(async () => {
    await app?.close()
    home.cleanup()
  })

  it('says there are no validation samples before the first evaluation', () => {
    const fresh = app.history.experiments.create({ name: 'untrained', config: defaultConfig(), backbone: 'finetune-studio/demo-tiny-gpt2' })
    expect(() => app.suite.suggestions(fresh.id)).toThrow(/no validation samples to offer yet/)
  })

  it('offers the validation samples, runs all on before and after, scores them, and keeps the results', async () => {
    const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(app.layout.experiments, demoId, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
    const offered = app.suite.suggestions(demoId)
    expect(offered).toEqual(predictions.map((p) => ({ prompt: p.prompt, expected: p.target })))
    app.suite.add(demoId, [...offered, { prompt: 'A prompt of my own', expected: null }])
    // Saved prompts are not offered again.
    expect(app.suite.suggestions(demoId)).toEqual([])

    const steps: SuiteProgress[] = []
    for await (const step of app.suite.runAll(demoId)) steps.push(step)
    const total = offered.length + 1
    expect(steps.map((s) => s.done)).toEqual(Array.from({ length: total + 1 }, (_, i) => i))
    expect(steps.every((s) => s.total === total)).toBe(true)
    expect(steps.at(-1)!.etaSeconds).toBe(0)
    expect(steps[1]!.etaSeconds).toBeGreaterThan(0)

    const results = app.suite.list(demoId)
    for (const prediction of predictions) {
      const item = results.find((r) => r.prompt === prediction.prompt)!
      // The after model is the trained one: it answers as the last evaluation did, with the same score.
      // (Validation answers are trimmed, as H2O's evaluation strips them.)
      expect(item.result!.after.trim()).toBe(prediction.predicted)
      expect(item.result!.afterScore).toBeCloseTo(Number(prediction.score), 6)
      expect(item.result!.before).not.toBe(item.result!.after)
      expect(item.result!.beforeScore).not.toBeNull()
    }
    // Trained long enough to say something, so "the same answer" means something.
    expect(predictions.some((p) => (p.predicted ?? '').length > 10)).toBe(true)
    const own = results.find((r) => r.prompt === 'A prompt of my own')!
    expect(own.result!.afterScore).toBeNull()
    expect(own.result!.after.length).toBeGreaterThan(0)

    // Reopened (a new app on the same data folder): the results are still there.
    await app.close()
    app = createApp({ dataDir, host: 'web', startEngine: false })
    expect(app.suite.list(demoId)).toEqual(results)
    expect(app.history.suite.remove(own.id)).toBe(true)
    expect(app.suite.list(demoId)).toHaveLength(total - 1)
  }, 600_000)

  it('offers the chat template only when the backbone has one, and it changes what the model is asked', async () => {
    expect(app.chat.models(demoId).chatTemplate).toEqual({ available: false, reason: 'noTemplate' })
    const backbone = writeTemplatedBackbone(path.join(home.dir, 'templated'))
    let config = setPath(defaultConfig(), 'llm_backbone', backbone)
    config = setPath(setPath(config, 'prediction.max_length_inference', 16), 'prediction.min_length_inference', 16)
    const templated = app.history.experiments.create({ name: 'templated', config, backbone })
    writeDemoAdapter(path.join(app.layout.experiments, templated.id, 'adapter'))
    expect(app.chat.models(templated.id).chatTemplate).toEqual({ available: true, reason: null })

    const answer = async (promptFormat: 'training' | 'chatTemplate') => {
      let finished: Extract<ChatChunk, { type: 'finished' }> | undefined
      for await (const chunk of app.chat.generate(templated.id, 'after', { history: [], prompt: 'Hello there' }, { promptFormat })) {
        if (chunk.type === 'finished') finished = chunk
      }
      return finished!
    }
    const asTraining = await answer('training')
    const withTemplate = await answer('chatTemplate')
    expect(withTemplate.tokens).toBe(16)
    expect(withTemplate.answer).not.toBe(asTraining.answer)
    // The demo backbone has no template: asking for it fails with what to do instead.
    await expect(
      (async () => {
        for await (const _ of app.chat.generate(demoId, 'before', { history: [], prompt: 'Hi' }, { promptFormat: 'chatTemplate' })) void _
      })(),
    ).rejects.toThrow(/no chat_template in its tokenizer_config.json/)
  }, 300_000)
})
