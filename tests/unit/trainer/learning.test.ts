/**
 * The demo backbone (random weights: it knows nothing) learns the bundled 20-row sample CSV with LoRA.
 * Settings: LoRA r 32 on every projection and the output head (the head's own weights are the random
 * embeddings, whose logits span only about ±1, so without LoRA there no distribution can get sharp),
 * answer-only loss, constant lr 0.003, 40 epochs of 5 batches. Validation is the training file itself
 * (custom strategy), so predictions.csv shows whether the trained answers come back under greedy search.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ConfigSchema } from '../../../src-shared/config'
import type { EngineToHost } from '../../../src-shared/engine-protocol'
import { chooseBackend } from '../../../src-engine/backend'
import { train } from '../../../src-engine/training/trainer'

const backbone = path.resolve('resources/demo-backbone')
const sampleCsv = path.resolve('resources/sample-data/instruction-sample.csv')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-learning-'))

beforeAll(async () => {
  await chooseBackend('wasm')
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

it('learns the sample CSV: the answer loss falls far below a uniform guess and greedy answers reproduce trained ones', async () => {
  const config = ConfigSchema.parse({
    llm_backbone: backbone,
    dataset: { train_dataframe: sampleCsv, validation_strategy: 'custom', validation_dataframe: sampleCsv, mask_prompt_labels: true },
    tokenizer: { max_length_prompt: 64, max_length_answer: 64, max_length: 128 },
    training: {
      epochs: 40,
      batch_size: 4,
      learning_rate: 0.003,
      schedule: 'Constant',
      lora_r: 32,
      lora_alpha: 64,
      lora_dropout: 0,
      lora_target_modules: 'c_attn,c_proj,c_fc,lm_head',
      evaluation_epochs: 40,
    },
    prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 40, min_length_inference: 1, repetition_penalty: 1, batch_size_inference: 10 },
    environment: { seed: 1 },
  })
  const events: EngineToHost[] = []
  const started = Date.now()
  const outcome = await train({ config, experimentDir: tmp, resume: false, emit: (e) => events.push(e) })
  const seconds = (Date.now() - started) / 1000
  const perEpoch = 5
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const firstEpoch = mean(outcome.losses.slice(0, perEpoch))
  const lastEpoch = mean(outcome.losses.slice(-perEpoch))
  const tokensPerS = events.flatMap((e) => (e.type === 'metrics' && 'train/tokens_per_s' in e.values ? [e.values['train/tokens_per_s']!] : []))
  console.log(`[learning] ${outcome.losses.length} batches in ${seconds.toFixed(1)} s; loss first epoch ${firstEpoch.toFixed(3)}, last epoch ${lastEpoch.toFixed(3)}; median tokens/s ${tokensPerS.sort((a, b) => a - b)[tokensPerS.length >> 1]!.toFixed(0)}`)
  // A model that learnt nothing stays near ln 530 = 6.27 nats a token (the first epoch is there). Below
  // 1.0 the answer tokens get e^-1 ≈ 37% probability or more on average (195× a uniform guess): the
  // answers are being memorised. Measured: 6.16 → 0.28 (wasm, seed 1).
  expect(firstEpoch).toBeGreaterThan(5.5)
  expect(lastEpoch).toBeLessThan(1.0)
  const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(tmp, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
  const exact = predictions.filter((p) => p.predicted === (p.target ?? '').trim())
  console.log(`[learning] ${exact.length} of ${predictions.length} answers reproduced exactly: ${exact.map((p) => p.target).join(' | ')}`)
  // Measured: 12 of 20 (the long answers still slip after a few tokens).
  expect(exact.length).toBeGreaterThanOrEqual(5)
}, 180_000) // ~35 s alone on wasm; over 60 s when the machine is shared
