/**
 * add_prompt_answer_tokens on a model with an untied output head (the tiny Qwen2 reference model, vocab_size
 * 100): the head grows with the embedding, in training and in merged/ — trained (full fine-tuning) or the
 * backbone's head grown by mean rows (LoRA, the head not trained) — and merged/ reloads to the same answers
 * (the chat command too). And a marker that is already one token of the demo backbone adds no row.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../../src-shared/config'
import type { EngineToHost } from '../../../src-shared/engine-protocol'
import { chooseBackend } from '../../../src-engine/backend'
import { loadModel } from '../../../src-engine/models/registry'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { generateAnswers } from '../../../src-engine/training/evaluate'
import { loadSplitRows, promptFormatFromConfig, tokenizeRows } from '../../../src-engine/training/dataset'
import { train } from '../../../src-engine/training/trainer'
import { openWeightsFile } from '../../../src-engine/weights'
import { toFloat32 } from '../../../src-engine/weights/stored-tensor'
import { runCli } from '../../helpers/cli'

const backbone = path.resolve('tests/fixtures/hf-reference/models/qwen2')
const sampleCsv = path.resolve('resources/sample-data/instruction-sample.csv')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-answer-tokens-'))

beforeAll(async () => {
  await chooseBackend('wasm')
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function config(lora: boolean) {
  return ConfigSchema.parse({
    llm_backbone: backbone,
    dataset: { train_dataframe: sampleCsv, validation_size: 0.2, text_prompt_start: '<|prompt|>', text_answer_separator: '<|answer|>' },
    tokenizer: { max_length_prompt: 24, max_length_answer: 24, max_length: 48, add_prompt_answer_tokens: true },
    training: { lora, epochs: 2, batch_size: 4, grad_accumulation: 1, learning_rate: 0.005, lora_r: 4, lora_alpha: 8, lora_dropout: 0, evaluation_epochs: 2 },
    prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 6, min_length_inference: 3, repetition_penalty: 1 },
    environment: { seed: 3 },
  })
}

describe('add_prompt_answer_tokens', () => {
  for (const lora of [false, true]) {
    it(`${lora ? 'LoRA' : 'full fine-tuning'}: embed_tokens and lm_head grow by 2 rows; merged/ answers as trained`, async () => {
      const dir = path.join(tmp, lora ? 'lora' : 'full')
      const cfg = config(lora)
      const events: EngineToHost[] = []
      const outcome = await train({ config: cfg, experimentDir: dir, resume: false, emit: (e) => events.push(e), exportMerged: true })
      expect(outcome.status).toBe('done')
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
      expect(mean(outcome.losses.slice(-2))).toBeLessThan(mean(outcome.losses.slice(0, 2)))
      const merged = path.join(dir, 'merged')
      const weights = openWeightsFile(path.join(merged, 'model.safetensors'))
      expect(weights.get('model.embed_tokens.weight').shape).toEqual([102, 48])
      const head = weights.get('lm_head.weight')
      expect(head.shape).toEqual([102, 48])
      if (lora) {
        // not trained: the backbone's head with 2 mean rows
        const original = toFloat32(openWeightsFile(path.join(backbone, 'model.safetensors')).get('lm_head.weight'))
        const grown = toFloat32(head)
        const meanRow = Array.from({ length: 48 }, (_, c) => Array.from({ length: 100 }, (_, r) => original[r * 48 + c]!).reduce((a, b) => a + b, 0) / 100)
        for (const row of [100, 101]) expect(Math.max(...meanRow.map((v, c) => Math.abs(grown[row * 48 + c]! - v)))).toBeLessThan(1e-6)
      }
      expect(JSON.parse(fs.readFileSync(path.join(merged, 'config.json'), 'utf8'))).toMatchObject({ vocab_size: 102 })
      const tokenizer = await loadTokenizer(merged)
      expect(tokenizer.encode('<|prompt|>')).toEqual([100])
      expect(tokenizer.encode('<|answer|>')).toEqual([101])
      const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
      const model = loadModel(merged)
      try {
        const rows = await loadSplitRows(cfg, 3)
        const samples = tokenizeRows(tokenizer, promptFormatFromConfig(cfg), rows.validation, rows.validationFile)
        expect(samples.every((s) => s.promptIds.at(-1) === 101)).toBe(true) // the separator ends every prompt as one token
        const ctx = { tokenizer, config: cfg, lossKind: 'TokenAveragedCrossEntropy' as const, padTokenId: tokenizer.padTokenId ?? 0, eosTokenIds: [tokenizer.eosTokenId!] }
        expect(await generateAnswers({ ...ctx, model: model.model }, samples.map((s) => s.promptIds), 4)).toEqual(predictions.map((p) => p.predicted))
      } finally {
        model.model.dispose()
      }
      if (lora) {
        // the chat command answers through merged/ (adapter/ is there too, but cannot hold the grown vocabulary)
        expect(fs.existsSync(path.join(dir, 'adapter', 'adapter_config.json'))).toBe(true)
        const { prompt, predicted } = predictions[0]! as { prompt: string; predicted: string }
        expect(predicted.length).toBeGreaterThan(0)
        const chat = runCli(['chat', dir, '--prompt', prompt, '--backend', 'wasm'])
        expect(chat.stderr).not.toMatch(/error/i)
        expect(chat.stdout).toBe(`${predicted}\n`)
      }
    })
  }

  it('a marker that is already one token adds no row; merged/ is still written for chat', async () => {
    const dir = path.join(tmp, 'existing-token')
    const cfg = ConfigSchema.parse({
      llm_backbone: path.resolve('resources/demo-backbone'),
      dataset: { train_dataframe: sampleCsv, validation_size: 0.2, text_answer_separator: '<|pad|>' },
      tokenizer: { max_length_prompt: 24, max_length_answer: 24, max_length: 48, add_prompt_answer_tokens: true },
      training: { epochs: 1, batch_size: 4, lora_r: 4, lora_alpha: 8, lora_dropout: 0 },
      prediction: { metric: 'BLEU', max_length_inference: 4 },
      environment: { seed: 3 },
    })
    const events: EngineToHost[] = []
    expect((await train({ config: cfg, experimentDir: dir, resume: false, emit: (e) => events.push(e) })).status).toBe('done')
    expect(events.some((e) => e.type === 'log' && e.message.startsWith('add_prompt_answer_tokens'))).toBe(false)
    expect(openWeightsFile(path.join(dir, 'merged', 'model.safetensors')).get('transformer.wte.weight').shape).toEqual([530, 64])
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'merged', 'config.json'), 'utf8'))).toMatchObject({ vocab_size: 530 })
  })
})
