/**
 * Evaluation on the validation samples, as H2O LLM Studio runs it: the validation loss (the training loss
 * function, full-length batches, no padding quantile) and the metric:
 *   BLEU         greedy / beam / sampled answers with the prediction settings (max_length_inference new
 *                tokens), scored by sacrebleu's sentence BLEU against the answer column;
 *   Perplexity   from the validation logits, no generation;
 *   OpenAI API   generated answers judged by an OpenAI-compatible endpoint (needs one passed in).
 * Returns per-sample rows for predictions.csv.
 */
import * as tf from '@tensorflow/tfjs'
import type { Config } from '../../src-shared/config'
import { decodeEscapes } from '../../src-shared/config'
import { generateIds, type ModelGenerateOptions } from '../generation'
import { bleuMetric } from '../metrics/bleu'
import { judgeMetric, type JudgeEndpoint } from '../metrics/openai-judge'
import { PerplexityAccumulator } from '../metrics/perplexity'
import type { CausalLM } from '../models/causal-lm'
import type { Tokenizer } from '../tokenizers'
import { makeBatch } from './batching'
import { causalLmLoss, nextTokenLabels, type LossFunctionName } from './cross-entropy'
import type { TokenizedSample } from './dataset'
import { UserError } from '../../src-shared/user-error'

export interface PredictionRow {
  prompt: string
  target: string
  predicted: string
  score: number
}

export interface EvaluationResult {
  loss: number
  metricName: string
  metric: number
  rows: PredictionRow[]
}

export interface EvaluationContext {
  model: CausalLM
  tokenizer: Tokenizer
  config: Config
  lossKind: LossFunctionName
  padTokenId: number
  eosTokenIds: number[]
  judge?: JudgeEndpoint
  log?: (line: string) => void
  /** Called between batches (lets IPC messages in). */
  yieldNow?: () => Promise<void>
}

/** The generation options the experiment's prediction settings give. */
export function predictionOptions(config: Config, eosTokenIds: number[], padTokenId: number, decode: (ids: readonly number[]) => string): ModelGenerateOptions {
  const p = config.prediction
  const stops = p.stop_tokens.split(',').map((s) => decodeEscapes(s.trim())).filter((s) => s !== '')
  return {
    maxNewTokens: p.max_length_inference,
    minNewTokens: p.min_length_inference,
    doSample: p.do_sample,
    temperature: p.do_sample ? Math.max(p.temperature, 1e-6) : 1,
    topK: p.top_k,
    topP: p.top_p,
    repetitionPenalty: p.repetition_penalty,
    numBeams: p.do_sample ? 1 : p.num_beams,
    eosTokenIds,
    padTokenId,
    decode,
    ...(stops.length > 0 ? { stopStrings: stops } : {}),
    ...(p.max_time > 0 ? { maxTimeSeconds: p.max_time } : {}),
    seed: config.environment.seed,
  }
}

/** Answers for prompts (ids), batched, cut to the model's positions; decoded without special tokens. */
export async function generateAnswers(ctx: EvaluationContext, prompts: number[][], batchSize: number): Promise<string[]> {
  // (the tokenizer refuses an empty list: an answer of no tokens is the empty text)
  const decode = (ids: readonly number[]) => (ids.length === 0 ? '' : ctx.tokenizer.decode(ids, { skipSpecialTokens: true }))
  const base = predictionOptions(ctx.config, ctx.eosTokenIds, ctx.padTokenId, decode)
  const out: string[] = []
  for (let i = 0; i < prompts.length; i += batchSize) {
    const chunk = prompts.slice(i, i + batchSize)
    const longest = Math.max(...chunk.map((p) => p.length))
    const room = ctx.model.summary.learnedPositions ? ctx.model.summary.maxPositions - longest : base.maxNewTokens
    const maxNewTokens = Math.max(1, Math.min(base.maxNewTokens, room))
    const result = await generateIds(ctx.model, chunk, { ...base, maxNewTokens, minNewTokens: Math.min(base.minNewTokens ?? 0, maxNewTokens) })
    for (const ids of result.ids) out.push(decode(ids.filter((id) => !ctx.eosTokenIds.includes(id))).trim())
    await ctx.yieldNow?.()
  }
  return out
}

export async function evaluate(ctx: EvaluationContext, samples: readonly TokenizedSample[]): Promise<EvaluationResult> {
  const { config } = ctx
  const batchSize = config.prediction.batch_size_inference > 0 ? config.prediction.batch_size_inference : config.training.batch_size
  const perplexity = new PerplexityAccumulator()
  let lossSum = 0
  let lossWeight = 0
  for (let i = 0; i < samples.length; i += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, samples.length - i) }, (_, j) => i + j)
    const batch = makeBatch(samples, indices, ctx.padTokenId, 1)
    const labels = nextTokenLabels(batch.labels, batch.batch, batch.time)
    const logits = tf.tidy(() => ctx.model.forward(tf.tensor2d(batch.ids, [batch.batch, batch.time], 'int32'), { attentionMask: batch.mask, positions: batch.positions }))
    const loss = tf.tidy(() => causalLmLoss(ctx.lossKind, logits, labels))
    // The batch mean, weighted by its samples: a mean over batches as H2O's validation loss.
    lossSum += (await loss.data())[0]! * batch.batch
    lossWeight += batch.batch
    await perplexity.addLogits(logits, labels)
    tf.dispose([logits, loss])
    await ctx.yieldNow?.()
  }
  const loss = lossWeight > 0 ? lossSum / lossWeight : Number.NaN
  const metricName = config.prediction.metric
  const targets = samples.map((s) => s.texts.answer)
  const prompts = samples.map((s) => s.texts.prompt)
  if (metricName === 'Perplexity') {
    const result = perplexity.result()
    return { loss, metricName, metric: result.mean, rows: samples.map((_, i) => ({ prompt: prompts[i]!, target: targets[i]!, predicted: '', score: result.perSample[i]! })) }
  }
  if (metricName === 'OpenAI API' && !ctx.judge) {
    throw new UserError('prediction.metric is "OpenAI API" but no OpenAI-compatible endpoint was given to the engine: set the base URL, model and key in Settings, or choose BLEU or Perplexity.', 'judgeNotConfigured')
  }
  const predicted = await generateAnswers(ctx, samples.map((s) => s.promptIds), batchSize)
  if (metricName === 'OpenAI API') {
    const judged = await judgeMetric(ctx.judge!, samples.map((_, i) => ({ prompt: prompts[i]!, targetText: targets[i]!, predictedText: predicted[i]! })), {
      template: config.prediction.metric_gpt_template,
      ...(ctx.log ? { log: ctx.log } : {}),
    })
    return { loss, metricName, metric: judged.mean, rows: samples.map((_, i) => ({ prompt: prompts[i]!, target: targets[i]!, predicted: predicted[i]!, score: judged.perSample[i]!.score })) }
  }
  const bleu = bleuMetric(predicted, targets)
  return { loss, metricName, metric: bleu.mean, rows: samples.map((_, i) => ({ prompt: prompts[i]!, target: targets[i]!, predicted: predicted[i]!, score: bleu.perSample[i]! })) }
}
