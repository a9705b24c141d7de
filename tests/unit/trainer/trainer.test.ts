/**
 * The trainer end to end on the bundled demo backbone (a random 2-layer GPT-2, vocabulary 530) and the
 * bundled 20-row sample CSV, on the wasm backend (10× the plain-JS cpu backend here):
 * seed determinism, cancel → checkpoint + cancelled, resume equal to an uninterrupted run, the tensor
 * count flat across steps, the exported PEFT adapter reloading to the same greedy answers.
 */
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Papa from 'papaparse'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigSchema, type ConfigInput } from '../../../src-shared/config'
import type { EngineToHost } from '../../../src-shared/engine-protocol'
import { chooseBackend } from '../../../src-engine/backend'
import { loadModel } from '../../../src-engine/models/registry'
import { loadPeftAdapter } from '../../../src-engine/lora/peft-adapter'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { generateAnswers } from '../../../src-engine/training/evaluate'
import { exportMergedModel } from '../../../src-engine/training/export-merged'
import { readTrainable } from '../../../src-engine/training/checkpoint'
import { openWeightsFile } from '../../../src-engine/weights'
import { toFloat32 } from '../../../src-engine/weights/stored-tensor'
import { loadSplitRows, promptFormatFromConfig, tokenizeRows } from '../../../src-engine/training/dataset'
import { train, type TrainOutcome } from '../../../src-engine/training/trainer'

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

export const backbone = path.resolve('resources/demo-backbone')
export const sampleCsv = path.resolve('resources/sample-data/instruction-sample.csv')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-test-'))

beforeAll(async () => {
  await chooseBackend('wasm')
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** A short run: 16 train rows, batch 4, 2 epochs = 8 batches; accumulation 2 = 4 optimizer steps. */
function shortConfig(extra: ConfigInput = {}) {
  return ConfigSchema.parse({
    ...extra,
    llm_backbone: backbone,
    dataset: { train_dataframe: sampleCsv, validation_size: 0.2, ...extra.dataset },
    tokenizer: { max_length_prompt: 32, max_length_answer: 32, max_length: 64, padding_quantile: 0.9, ...extra.tokenizer },
    augmentation: { token_mask_probability: 0.1, ...extra.augmentation },
    training: {
      epochs: 2,
      batch_size: 4,
      grad_accumulation: 2,
      learning_rate: 0.003,
      warmup_epochs: 0.5,
      gradient_clip: 0.5,
      lora_r: 4,
      lora_alpha: 8,
      lora_dropout: 0.1,
      evaluation_epochs: 1,
      ...extra.training,
    },
    prediction: { metric: 'Perplexity', ...extra.prediction },
    environment: { seed: 7, ...extra.environment },
  })
}

async function run(dir: string, config: ReturnType<typeof shortConfig>, options: { resume?: boolean; cancelAfterSteps?: number } = {}) {
  const events: EngineToHost[] = []
  const tensorsAtStep: number[] = []
  let steps = 0
  const outcome: TrainOutcome = await train({
    config,
    experimentDir: dir,
    resume: options.resume ?? false,
    emit: (event) => {
      events.push(event)
      if (event.type === 'metrics' && 'train/loss' in event.values) {
        steps++
        tensorsAtStep.push(tf.memory().numTensors)
      }
    },
    isCancelled: () => options.cancelAfterSteps !== undefined && steps >= options.cancelAfterSteps,
  })
  return { outcome, events, tensorsAtStep }
}


/** The merged/ model, loaded on its own, answers the validation prompts exactly as predictions.csv says the trained model did. */
async function expectMergedAnswersMatchPredictions(dir: string, config: Parameters<typeof loadSplitRows>[0], tokenizerDir = backbone): Promise<void> {
  const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
  const tokenizer = await loadTokenizer(tokenizerDir)
  const merged = loadModel(path.join(dir, 'merged'))
  try {
    const rows = await loadSplitRows(config, 7)
    const samples = tokenizeRows(tokenizer, promptFormatFromConfig(config), rows.validation, rows.validationFile)
    const ctx = { tokenizer, config, lossKind: 'TokenAveragedCrossEntropy' as const, padTokenId: tokenizer.padTokenId ?? 0, eosTokenIds: [tokenizer.eosTokenId!] }
    expect(await generateAnswers({ ...ctx, model: merged.model }, samples.map((s) => s.promptIds), 4)).toEqual(predictions.map((p) => p.predicted))
  } finally {
    merged.model.dispose()
  }
}

describe('trainer', () => {
  it('the same seed gives the same losses; cancel saves a checkpoint; resume continues exactly', async () => {
    const config = shortConfig()
    const before = tf.memory().numTensors
    const full = await run(path.join(tmp, 'full'), config)
    expect(tf.memory().numTensors).toBe(before) // everything the run made is freed
    expect(full.outcome.status).toBe('done')
    expect(full.outcome.losses).toHaveLength(8)
    const trainMetrics = full.events.filter((e) => e.type === 'metrics' && 'train/loss' in e.values)
    expect(trainMetrics.map((e) => e.type === 'metrics' && e.step)).toEqual([1, 2, 3, 4])
    // warmup of 0.5 epoch = 2 batches: the first step (after batch 2, schedule step 1) is at half the rate
    expect(trainMetrics[0]!.type === 'metrics' && trainMetrics[0]!.values['train/lr']).toBeCloseTo(0.0015, 10)
    // evaluation each epoch: validation loss and perplexity, predictions.csv with one row per validation row
    const evals = full.events.filter((e) => e.type === 'metrics' && 'val/loss' in e.values)
    expect(evals).toHaveLength(2)
    const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(tmp, 'full', 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true })
    expect(predictions.meta.fields).toEqual(['prompt', 'target', 'predicted', 'score'])
    expect(predictions.data).toHaveLength(4)
    // tensor count flat across steps once the optimizer state exists
    expect(new Set(full.tensorsAtStep.slice(1)).size).toBe(1)

    const first = await run(path.join(tmp, 'resumed'), config, { cancelAfterSteps: 2 })
    expect(first.outcome.status).toBe('cancelled')
    const checkpointEvent = first.events.findLast((e) => e.type === 'checkpoint')
    const cancelledEvent = first.events.at(-1)
    expect(cancelledEvent).toEqual({ type: 'cancelled', step: 2 })
    expect(checkpointEvent).toMatchObject({ type: 'checkpoint', step: 2, kind: 'last' })
    expect(fs.existsSync(path.join(tmp, 'resumed', 'checkpoints', 'last', 'optimizer.safetensors'))).toBe(true)
    // same seed: the batches before the cancel are the uninterrupted run's, bit for bit
    expect(first.outcome.losses).toEqual(full.outcome.losses.slice(0, 4))

    const second = await run(path.join(tmp, 'resumed'), config, { resume: true })
    expect(second.outcome.status).toBe('done')
    // The metrics sent before the checkpoint are sent again first: a host killed before storing them loses none.
    const metricsOf = (events: EngineToHost[]) => events.filter((e) => e.type === 'metrics')
    const resent = metricsOf(second.events).filter((e) => e.step <= 2)
    expect(resent.length).toBeGreaterThan(0)
    expect(resent).toEqual(metricsOf(first.events))
    expect([...first.outcome.losses, ...second.outcome.losses]).toEqual(full.outcome.losses)
    const adapterA = fs.readFileSync(path.join(tmp, 'full', 'adapter', 'adapter_model.safetensors'))
    const adapterB = fs.readFileSync(path.join(tmp, 'resumed', 'adapter', 'adapter_model.safetensors'))
    expect(adapterB.equals(adapterA)).toBe(true)

    const otherSeed = await run(path.join(tmp, 'seed8'), shortConfig({ environment: { seed: 8 } }))
    expect(otherSeed.outcome.losses).not.toEqual(full.outcome.losses)
  })

  it('exports a PEFT adapter that reloads to the in-memory model\'s greedy answers', async () => {
    const dir = path.join(tmp, 'bleu')
    const config = shortConfig({
      training: { epochs: 3, grad_accumulation: 1, learning_rate: 0.01, lora_target_modules: 'c_attn,c_fc,lm_head', lora_dropout: 0 },
      augmentation: { token_mask_probability: 0 },
      prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 12, min_length_inference: 6, repetition_penalty: 1 },
    })
    const { outcome, events } = await run(dir, config)
    expect(outcome.status).toBe('done')
    expect(events.some((e) => e.type === 'best' && e.name === 'BLEU')).toBe(true)
    const adapterConfig = JSON.parse(fs.readFileSync(path.join(dir, 'adapter', 'adapter_config.json'), 'utf8')) as Record<string, unknown>
    expect(adapterConfig).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, target_modules: ['c_attn', 'c_fc', 'lm_head'], fan_in_fan_out: true, bias: 'none', use_rslora: false, inference_mode: true, base_model_name_or_path: backbone })
    const adapter = loadPeftAdapter(path.join(dir, 'adapter'))
    expect([...adapter.modules.keys()].sort()).toEqual(['lm_head', 'transformer.h.0.attn.c_attn', 'transformer.h.0.mlp.c_fc', 'transformer.h.1.attn.c_attn', 'transformer.h.1.mlp.c_fc'])
    expect(adapter.modules.get('transformer.h.0.attn.c_attn')!.a.shape).toEqual([4, 64]) // [r, in]
    expect(adapter.modules.get('transformer.h.0.attn.c_attn')!.b.shape).toEqual([192, 4]) // [out, r]

    // predictions.csv holds the in-memory model's greedy answers at the last step; the reloaded adapter
    // must give the same text for the same prompts.
    const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
    const tokenizer = await loadTokenizer(backbone)
    const loaded = loadModel(backbone, { adapterDir: path.join(dir, 'adapter') })
    const base = loadModel(backbone)
    // the merged model folder (W + scale·ΔW; the LoRA on the tied head unties it) computes the same logits
    exportMergedModel(backbone, path.join(dir, 'checkpoints', 'last'), path.join(dir, 'merged'), { modelType: 'gpt2', loraScale: 2 })
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'merged', 'config.json'), 'utf8'))).toMatchObject({ tie_word_embeddings: false })
    const merged = loadModel(path.join(dir, 'merged'))
    try {
      const ids = tf.tensor2d([[5, 80, 200, 31, 0, 7]], [1, 6], 'int32')
      const [a, b] = [tf.tidy(() => loaded.model.forward(ids)), tf.tidy(() => merged.model.forward(ids))]
      const diff = tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!)
      expect(diff).toBeLessThan(1e-4)
      const spread = tf.tidy(() => a.max().sub(a.min()).dataSync()[0]!)
      expect(spread).toBeGreaterThan(1) // the comparison is not of two near-zero tensors
      tf.dispose([ids, a, b])
    } finally {
      merged.model.dispose()
    }
    try {
      const rows = await loadSplitRows(config, 7)
      const samples = tokenizeRows(tokenizer, promptFormatFromConfig(config), rows.validation, rows.validationFile)
      const ctx = { tokenizer, config, lossKind: 'TokenAveragedCrossEntropy' as const, padTokenId: tokenizer.padTokenId ?? 0, eosTokenIds: [tokenizer.eosTokenId!] }
      const reloaded = await generateAnswers({ ...ctx, model: loaded.model }, samples.map((s) => s.promptIds), 4)
      expect(reloaded).toEqual(predictions.map((p) => p.predicted))
      // and the adapter matters: the base model alone answers differently
      const untuned = await generateAnswers({ ...ctx, model: base.model }, samples.map((s) => s.promptIds), 4)
      expect(untuned).not.toEqual(reloaded)
    } finally {
      loaded.model.dispose()
      base.model.dispose()
    }
  })
  it('full fine-tuning trains the linear layers not frozen and exports a model folder that answers the same', async () => {
    const dir = path.join(tmp, 'full-ft')
    const config = shortConfig({
      training: { lora: false, freeze_layers: ['h.0.'], epochs: 2, grad_accumulation: 1, learning_rate: 0.001, lora_dropout: 0 },
      augmentation: { token_mask_probability: 0 },
      prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 8, min_length_inference: 4, repetition_penalty: 1 },
    })
    const { outcome, events } = await run(dir, config)
    expect(outcome.status).toBe('done')
    // layer 1 only (h.0. frozen, the tied head kept): c_attn 64·192+192, attn c_proj 64·64+64, c_fc 64·256+256, mlp c_proj 256·64+64
    expect(events.some((e) => e.type === 'log' && e.message === 'Full fine-tuning of the linear layers: 49,728 trainable parameters.')).toBe(true)
    expect(mean(outcome.losses.slice(-2))).toBeLessThan(mean(outcome.losses.slice(0, 2)))
    expect(fs.existsSync(path.join(dir, 'adapter'))).toBe(false)
    await expectMergedAnswersMatchPredictions(dir, config)
  })
  it('lora_unfreeze_layers trains those layers in full next to LoRA; merged/ holds both', async () => {
    const dir = path.join(tmp, 'unfreeze')
    const config = shortConfig({
      training: { epochs: 1, grad_accumulation: 1, learning_rate: 0.005, lora_target_modules: 'c_attn', lora_unfreeze_layers: ['h.1.mlp.c_fc'], lora_dropout: 0 },
      augmentation: { token_mask_probability: 0 },
      prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 8, min_length_inference: 4, repetition_penalty: 1 },
    })
    const { outcome, events } = await run(dir, config)
    expect(outcome.status).toBe('done')
    // LoRA on 2 × c_attn: 2 × (64·4 + 4·192) = 2048; h.1.mlp.c_fc in full: 64·256 + 256 = 16640
    expect(events.some((e) => e.type === 'log' && e.message === 'LoRA on 2 modules: 18,688 trainable parameters.')).toBe(true)
    expect([...loadPeftAdapter(path.join(dir, 'adapter')).modules.keys()].sort()).toEqual(['transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn'])
    await expectMergedAnswersMatchPredictions(dir, config)
  })

  it('force_embedding_gradients trains the token and position embeddings next to LoRA (the tied head follows); merged/ holds them', async () => {
    const settings = {
      training: { epochs: 1, grad_accumulation: 1, learning_rate: 0.005, lora_dropout: 0 },
      augmentation: { token_mask_probability: 0 },
      prediction: { metric: 'BLEU' as const, num_beams: 1, max_length_inference: 8, min_length_inference: 4, repetition_penalty: 1 },
    }
    const off = await run(path.join(tmp, 'embeddings-off'), shortConfig(settings))
    expect([...readTrainable(path.join(tmp, 'embeddings-off', 'checkpoints', 'last')).keys()].some((n) => n.includes('wte'))).toBe(false)
    const dir = path.join(tmp, 'embeddings-on')
    const config = shortConfig({ ...settings, architecture: { force_embedding_gradients: true } })
    const on = await run(dir, config)
    expect(on.outcome.status).toBe('done')
    expect(on.outcome.losses[0]).toBeCloseTo(off.outcome.losses[0]!, 5) // same start, then the embeddings move
    const trained = readTrainable(path.join(dir, 'checkpoints', 'last'))
    const original = toFloat32(openWeightsFile(path.join(backbone, 'model.safetensors')).get('transformer.wte.weight'))
    for (const name of ['transformer.wte.weight', 'transformer.wpe.weight']) expect(trained.has(name), name).toBe(true)
    const wte = trained.get('transformer.wte.weight')!
    expect(wte.shape).toEqual([530, 64])
    expect(Math.max(...wte.data.map((v, i) => Math.abs(v - original[i]!)))).toBeGreaterThan(1e-4)
    // merged/ has the trained table (still tied: no lm_head.weight) and answers as the trained model did
    const merged = openWeightsFile(path.join(dir, 'merged', 'model.safetensors'))
    expect(merged.has('lm_head.weight')).toBe(false)
    expect(Math.max(...toFloat32(merged.get('transformer.wte.weight')).map((v, i) => Math.abs(v - wte.data[i]!)))).toBeLessThan(1e-7)
    await expectMergedAnswersMatchPredictions(dir, config)
  })

  it('add_prompt_answer_tokens makes the markers single new tokens, grows and trains the embedding; merged/ has the grown vocabulary', async () => {
    const dir = path.join(tmp, 'prompt-answer-tokens')
    const config = shortConfig({
      dataset: { text_prompt_start: '<|prompt|>', text_answer_separator: '<|answer|>' },
      tokenizer: { add_prompt_answer_tokens: true },
      training: { grad_accumulation: 1, learning_rate: 0.005, lora_dropout: 0 },
      augmentation: { token_mask_probability: 0 },
      prediction: { metric: 'BLEU', num_beams: 1, max_length_inference: 8, min_length_inference: 4, repetition_penalty: 1 },
    })
    const { outcome, events } = await run(dir, config)
    expect(outcome.status).toBe('done')
    expect(events.some((e) => e.type === 'log' && e.message.startsWith('add_prompt_answer_tokens: 2 new special tokens'))).toBe(true)
    expect(events.some((e) => e.type === 'log' && e.message.includes('Not applied'))).toBe(false)
    expect(mean(outcome.losses.slice(-2))).toBeLessThan(mean(outcome.losses.slice(0, 2)))
    // the embedding grew by 2 mean-initialised rows, and they were trained
    const wte = readTrainable(path.join(dir, 'checkpoints', 'last')).get('transformer.wte.weight')!
    expect(wte.shape).toEqual([532, 64])
    const original = toFloat32(openWeightsFile(path.join(backbone, 'model.safetensors')).get('transformer.wte.weight'))
    const meanRow = Array.from({ length: 64 }, (_, c) => Array.from({ length: 530 }, (_, r) => original[r * 64 + c]!).reduce((a, b) => a + b, 0) / 530)
    expect(Math.max(...meanRow.map((v, c) => Math.abs(wte.data[530 * 64 + c]! - v)))).toBeGreaterThan(1e-4)
    // merged/: grown vocabulary, its tokenizer.json encodes the markers to the new ids, and it answers as trained
    const merged = path.join(dir, 'merged')
    expect(JSON.parse(fs.readFileSync(path.join(merged, 'config.json'), 'utf8'))).toMatchObject({ vocab_size: 532 })
    expect(openWeightsFile(path.join(merged, 'model.safetensors')).get('transformer.wte.weight').shape).toEqual([532, 64])
    const mergedTokenizer = await loadTokenizer(merged)
    expect(mergedTokenizer.encode('<|prompt|>Hi<|answer|>')).toEqual([530, ...mergedTokenizer.encode('Hi'), 531])
    expect(mergedTokenizer.decode([530, 531], { skipSpecialTokens: true })).toBe('')
    await expectMergedAnswersMatchPredictions(dir, config, merged)
  })

  it('evaluates before training, keeps the best checkpoint by perplexity, and exports the adapter from it', async () => {
    const dir = path.join(tmp, 'best')
    const config = shortConfig({
      training: { save_best_checkpoint: true, evaluate_before_training: true, loss_function: 'SampleAveragedCrossEntropy', grad_accumulation: 1, learning_rate: 0.01 },
    })
    const { outcome, events } = await run(dir, config)
    expect(outcome.status).toBe('done')
    const evaluations = events.flatMap((e) => (e.type === 'metrics' && 'val/Perplexity' in e.values ? [{ step: e.step, value: e.values['val/Perplexity']! }] : []))
    expect(evaluations.map((e) => e.step)).toEqual([0, 4, 8]) // before training, then each epoch of 4 steps
    // a best event (and a best checkpoint) each time the perplexity went down, and only then
    let best = Infinity
    const improved = evaluations.filter((e) => (e.value < best ? ((best = e.value), true) : false)).map((e) => e.step)
    expect(events.flatMap((e) => (e.type === 'best' ? [e.step] : []))).toEqual(improved)
    expect(events.flatMap((e) => (e.type === 'checkpoint' && e.kind === 'best' ? [e.step] : []))).toEqual(improved)
    expect(outcome.summary.best_step).toBe(improved.at(-1))
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints', 'best', 'state.json'), 'utf8')) as { step: number }
    expect(state.step).toBe(improved.at(-1))
    // the adapter is the best checkpoint's: its lora_B equals the checkpoint's Bᵀ transposed
    const bT = readTrainable(path.join(dir, 'checkpoints', 'best')).get('transformer.h.0.attn.c_attn.lora_B.weight')!
    const b = loadPeftAdapter(path.join(dir, 'adapter')).modules.get('transformer.h.0.attn.c_attn')!.b
    const bData = new Float32Array(Uint8Array.from(b.bytes).buffer)
    expect(b.shape).toEqual([192, 4])
    expect(bData[1 * 4 + 2]).toBe(bT.data[2 * 192 + 1])
    expect(bData[191 * 4 + 3]).toBe(bT.data[3 * 192 + 191])
  })
  it('NEFTune noise and intermediate_dropout change the training, repeatably; pretrained_weights starts from another experiment', async () => {
    const plain = await run(path.join(tmp, 'plain'), shortConfig({ training: { epochs: 0.5 } }))
    const noisy = shortConfig({ training: { epochs: 0.5 }, augmentation: { neftune_noise_alpha: 5 } })
    const a = await run(path.join(tmp, 'neftune-a'), noisy)
    const b = await run(path.join(tmp, 'neftune-b'), noisy)
    expect(a.outcome.losses).toEqual(b.outcome.losses)
    expect(a.outcome.losses[0]).not.toBe(plain.outcome.losses[0])
    // intermediate_dropout likewise (dropout on each sublayer's output before the residual add)
    const dropped = shortConfig({ training: { epochs: 0.5 }, architecture: { intermediate_dropout: 0.2 } })
    const c = await run(path.join(tmp, 'dropout-a'), dropped)
    const d = await run(path.join(tmp, 'dropout-b'), dropped)
    expect(c.outcome.losses).toEqual(d.outcome.losses)
    expect(c.outcome.losses[0]).not.toBe(plain.outcome.losses[0])

    // From the 'full' experiment of the first test, with a learning rate too small to move anything:
    // the exported adapter is that experiment's.
    const from = path.join(tmp, 'full')
    const continued = await run(path.join(tmp, 'continued'), shortConfig({ architecture: { pretrained_weights: from }, training: { epochs: 0.5, learning_rate: 1e-12 } }))
    expect(continued.events.some((e) => e.type === 'log' && e.message === `Started from the pretrained weights in ${path.join(from, 'checkpoints', 'last')}.`)).toBe(true)
    const original = loadPeftAdapter(path.join(from, 'adapter')).modules.get('transformer.h.1.mlp.c_fc')!.b
    const copied = loadPeftAdapter(path.join(tmp, 'continued', 'adapter')).modules.get('transformer.h.1.mlp.c_fc')!.b
    const x = new Float32Array(Uint8Array.from(original.bytes).buffer)
    const y = new Float32Array(Uint8Array.from(copied.bytes).buffer)
    expect(Math.max(...x.map((v) => Math.abs(v)))).toBeGreaterThan(1e-3) // trained, not zeros
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i]!)))).toBeLessThan(1e-6)
  })
  it('gradient_checkpointing trains exactly as without it (losses to 1e-5), dropout included', async () => {
    const settings = { training: { epochs: 1 }, architecture: { intermediate_dropout: 0.1 } }
    const plain = await run(path.join(tmp, 'no-checkpointing'), shortConfig(settings))
    const checkpointed = await run(path.join(tmp, 'checkpointing'), shortConfig({ ...settings, architecture: { ...settings.architecture, gradient_checkpointing: true } }))
    expect(checkpointed.outcome.losses).toHaveLength(plain.outcome.losses.length)
    checkpointed.outcome.losses.forEach((loss, i) => expect(Math.abs(loss - plain.outcome.losses[i]!)).toBeLessThan(1e-5))
    expect(checkpointed.tensorsAtStep.every((n) => n === checkpointed.tensorsAtStep[0])).toBe(true)
  })
  it('metric "OpenAI API": every validation answer is judged through the endpoint; without one, a clear error', async () => {
    // A local OpenAI-compatible server that scores by the answer's length, so each row gets its own score.
    const requests: string[] = []
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        requests.push(body)
        const content = (JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)!.content
        const score = content.length % 11
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `REASON: fine\nSCORE: ${score}` }, finish_reason: 'stop' }] }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const config = shortConfig({ training: { epochs: 1, grad_accumulation: 1 }, prediction: { metric: 'OpenAI API', num_beams: 1, max_length_inference: 6, min_length_inference: 2 } })
      await expect(run(path.join(tmp, 'judge-none'), config)).rejects.toThrow(/no OpenAI-compatible endpoint is configured/)
      const events: EngineToHost[] = []
      const outcome = await train({ config, experimentDir: path.join(tmp, 'judge'), resume: false, emit: (e) => events.push(e), judge: { baseUrl: `http://127.0.0.1:${port}`, model: 'judge-model', apiKey: 'k' } })
      expect(outcome.status).toBe('done')
      expect(requests).toHaveLength(4) // one per validation row, one evaluation
      expect((JSON.parse(requests[0]!) as { model: string }).model).toBe('judge-model')
      const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(tmp, 'judge', 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
      const scores = predictions.map((p) => Number(p.score))
      const metric = events.flatMap((e) => (e.type === 'metrics' && 'val/OpenAI API' in e.values ? [e.values['val/OpenAI API']!] : []))
      expect(metric).toEqual([mean(scores)])
    } finally {
      server.close()
    }
  })
})
