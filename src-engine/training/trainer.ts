/**
 * The trainer: one experiment from a validated Config to an adapter folder, as a flat loop with visible
 * phases (DESIGN.md): batch → loss → grads → clip → step → log, every step inside tf.tidy.
 *
 *   load data (split, sample) → tokenise → load the backbone with LoRA (or trainable linears) injected →
 *   optimizer (H2O's parameter groups) → [evaluate before training] → for each batch of each epoch:
 *     loss and gradients (variableGrads) → accumulate (grad_accumulation) → at a window's end: clip by
 *     global norm, set the schedule's lr, optimizer step, log metrics and progress → evaluate every
 *     evaluation_epochs (checkpoint last / best) → cancel? checkpoint, stop
 *   → export: adapter/ (PEFT) and cfg.yaml.
 *
 * Steps counted in `progress` and `metrics` are optimizer steps. The schedule advances per batch, as
 * H2O's does (lr-schedule.ts). Fractional epochs run floor(epochs × batches per epoch) batches.
 * Everything random is a function of (seed, batch index): data order (per epoch), LoRA dropout, token
 * masking. So a resumed run continues exactly as an uninterrupted one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import Papa from 'papaparse'
import * as tf from '@tensorflow/tfjs'
import { configToYaml, type Config } from '../../src-shared/config'
import type { EngineToHost } from '../../src-shared/engine-protocol'
import { seededRng } from '../generation/rng'
import type { JudgeEndpoint } from '../metrics/openai-judge'
import { isBetterMetric, validationMetric } from '../metrics/validation-metric'
import { loadModel, type LoadedModel } from '../models/registry'
import { loadTokenizer } from '../tokenizers'
import { AddedSpecialTokensTokenizer } from '../tokenizers/added-special-tokens'
import { batchesPerEpoch, batchIndices, epochOrder, makeBatch, type Batch } from './batching'
import { hasCheckpoint, loadCheckpoint, readTrainable, saveCheckpoint, TRAINABLE_FILE, type LoopState, type MetricsEvent } from './checkpoint'
import { causalLmLoss, lossFunctionFromConfig, nextTokenLabels } from './cross-entropy'
import { ChainAugmentation } from './chain-augmentation'
import { chainRows, loadSplitRows, promptFormatFromConfig, tokenizeSample } from './dataset'
import { tokenizeTexts } from './parallel-tokenize'
import { evaluate, type EvaluationContext, type EvaluationResult } from './evaluate'
import { exportPeftAdapter } from './export-adapter'
import { exportMergedModel } from './export-merged'
import { loraScale } from '../lora/peft-adapter'
import { GradientAccumulator, isOptimizerStep } from './gradient-accumulation'
import { GradientCheckpointing } from './gradient-checkpointing'
import { clipByGlobalNorm, globalNorm } from './gradient-clipping'
import { learningRateAt, scheduleSteps, type ScheduleName } from './lr-schedule'
import { createOptimizer } from './optimizers/create-optimizer'
import { fullTrainable, loraTrainable, parseTargetModules, trainEmbeddings, type TrainableSet } from './trainable'
import { resolveBackbone } from './backbone'
import { addedRowCount, growVocabulary, withPromptAnswerTokens } from './prompt-answer-tokens'
import { promptAnswerMarkers } from '../../src-shared/config/prompt-answer-tokens'

export type EventSink = (event: EngineToHost) => void

export interface TrainOptions {
  config: Config
  experimentDir: string
  resume: boolean
  emit: EventSink
  /** True once the host asked to stop; checked between batches. */
  isCancelled?: () => boolean
  /** For metric "OpenAI API". */
  judge?: JudgeEndpoint
  /** Also write merged/ (a Hugging Face model folder). Default: for full fine-tuning only (LoRA: adapter/). */
  exportMerged?: boolean
}

export interface TrainOutcome {
  status: 'done' | 'cancelled'
  step: number
  summary: Record<string, string | number | boolean | null>
  /** Training loss of every batch, in order (for tests and the CLI). */
  losses: number[]
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Optimizer steps the loop will take over `totalBatches` batches. */
export function plannedSteps(totalBatches: number, perEpoch: number, gradAccumulation: number): number {
  let steps = 0
  for (let k = 0; k < totalBatches; k++) if (isOptimizerStep(k % perEpoch, gradAccumulation, k % perEpoch === perEpoch - 1 || k === totalBatches - 1)) steps++
  return steps
}

function resolveSeed(seed: number): number {
  return seed >= 0 ? seed : Math.floor(Math.random() * 2 ** 31)
}

/** Replaces input tokens with `maskId` with probability p (labels unchanged), seeded by the batch. */
function maskTokens(batch: Batch, p: number, maskId: number, seed: number): Int32Array {
  if (p <= 0) return batch.ids
  const rng = seededRng(seed)
  const ids = Int32Array.from(batch.ids)
  for (let b = 0; b < batch.batch; b++) for (let t = 0; t < batch.time; t++) if (batch.mask[b]![t] === 1 && rng() < p) ids[b * batch.time + t] = maskId
  return ids
}

function writePredictions(file: string, result: EvaluationResult): void {
  fs.writeFileSync(file, Papa.unparse(result.rows, { columns: ['prompt', 'target', 'predicted', 'score'] }))
}

/**
 * architecture.pretrained_weights: start from an earlier experiment's trained tensors (its folder, or a
 * checkpoint folder in it); every tensor of this run must be there with the same shape.
 */
function startFromPretrained(where: string, trainable: TrainableSet): string {
  const dir = [path.join(where, 'checkpoints', 'last'), path.join(where, 'checkpoints', 'best'), where].find((d) => fs.existsSync(path.join(d, TRAINABLE_FILE)))
  if (!dir) throw new Error(`architecture.pretrained_weights: ${where} holds no ${TRAINABLE_FILE} (an experiment folder of this app, or one of its checkpoints/ folders).`)
  const saved = readTrainable(dir)
  for (const [name, v] of trainable.variables) {
    const t = saved.get(name)
    if (!t || t.shape.join(',') !== v.shape.join(',')) throw new Error(`architecture.pretrained_weights: ${dir} has no ${name} of shape ${JSON.stringify(v.shape)}; it was trained with other LoRA or layer settings.`)
    tf.tidy(() => {
      v.assign(tf.tensor(t.data, v.shape, 'float32'))
    })
  }
  return `Started from the pretrained weights in ${dir}.`
}

export async function train(options: TrainOptions): Promise<TrainOutcome> {
  const { config, experimentDir } = options
  // The metrics sent since the last checkpoint are saved with the next one: a host killed before it stored
  // them (the child may finish a step and a checkpoint before it notices) gets them again on resume.
  let unsaved: MetricsEvent[] = []
  // A checkpoint saved again with nothing new (cancel right after an evaluation) keeps the previous list.
  let savedWithLast: MetricsEvent[] = []
  const emit: EventSink = (event) => {
    if (event.type === 'metrics') unsaved.push(event)
    options.emit(event)
  }
  const t = config.training
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message })
  fs.mkdirSync(experimentDir, { recursive: true })
  fs.writeFileSync(path.join(experimentDir, 'cfg.yaml'), configToYaml(config))
  const checkpointsDir = path.join(experimentDir, 'checkpoints')
  const lastDir = path.join(checkpointsDir, 'last')
  const resumeState = options.resume && hasCheckpoint(lastDir) ? JSON.parse(fs.readFileSync(path.join(lastDir, 'state.json'), 'utf8')) as LoopState : null
  if (options.resume && !resumeState) log('No checkpoint to resume from: training starts from the beginning.', 'warn')
  const seed = resumeState?.seed ?? resolveSeed(config.environment.seed)
  if (config.environment.seed < 0) log(`seed -1: this run uses seed ${seed}.`)
  const metricInfo = validationMetric(config.prediction.metric)
  if (metricInfo.name === 'OpenAI API' && !options.judge) {
    throw new Error('prediction.metric is "OpenAI API" but no OpenAI-compatible endpoint is configured: set the base URL, model and key in Settings, or choose BLEU or Perplexity.')
  }
  // backbone_dtype and mixed_precision are not applied: TensorFlow.js 4 has no 16-bit dtype. Said plainly
  // here and in the New experiment form's run summary.
  log(`backbone_dtype ${config.architecture.backbone_dtype}${config.environment.mixed_precision ? ', mixed_precision on' : ''}: TensorFlow.js holds the weights and computes in float32 on ${tf.getBackend()} (no 16-bit tensors)${config.environment.mixed_precision ? '; mixed_precision has no effect' : ''}.`)

  // ---- data
  emit({ type: 'phase', phase: 'loading-data' })
  const backboneDir = resolveBackbone(config.llm_backbone)
  const modelConfig = JSON.parse(fs.readFileSync(path.join(backboneDir, 'config.json'), 'utf8')) as Record<string, unknown>
  const tokenizer = withPromptAnswerTokens(await loadTokenizer(backboneDir), promptAnswerMarkers(config), Number(modelConfig.vocab_size))
  const addedRows = addedRowCount(tokenizer)
  const rows = await loadSplitRows(config, seed)
  emit({ type: 'phase', phase: 'tokenizing', detail: `${rows.train.length} training rows, ${rows.validation.length} validation rows` })
  const format = promptFormatFromConfig(config)
  const workers = config.environment.number_of_workers
  const trainSamples = await tokenizeTexts(tokenizer, backboneDir, format, chainRows(rows.train, rows.trainAll, format, rows.trainFile), workers, log)
  const validationSamples = await tokenizeTexts(tokenizer, backboneDir, format, chainRows(rows.validation, rows.validationAll, format, rows.validationFile), workers, log)
  const augmentation = config.augmentation
  const chains = new ChainAugmentation(trainSamples, (texts) => tokenizeSample(tokenizer, format, texts), {
    skipParentProbability: config.dataset.parent_id_column !== null ? augmentation.skip_parent_probability : 0,
    randomParentProbability: config.dataset.parent_id_column !== null ? augmentation.random_parent_probability : 0,
  }, seed)
  const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0
  const eosTokenIds = tokenizer.eosTokenId !== null ? [tokenizer.eosTokenId] : []
  const perEpoch = batchesPerEpoch(trainSamples.length, t.batch_size, t.drop_last_batch)
  if (perEpoch === 0) throw new Error(`${trainSamples.length} training rows make no batch of batch_size ${t.batch_size} with drop_last_batch: lower training.batch_size or turn drop_last_batch off.`)
  const totalBatches = Math.max(1, Math.floor(t.epochs * perEpoch))
  const { totalSteps: scheduleTotal, warmupSteps } = scheduleSteps(t.epochs, t.warmup_epochs, perEpoch)
  const totalSteps = plannedSteps(totalBatches, perEpoch, t.grad_accumulation)
  const evalEvery = Math.max(1, Math.round(t.evaluation_epochs * perEpoch))

  // ---- model
  emit({ type: 'phase', phase: 'loading-model', detail: backboneDir })
  const linearsOnly: TrainableSet = t.lora
    ? loraTrainable({ r: t.lora_r, alpha: t.lora_alpha, useRslora: t.use_rslora, dropout: t.lora_dropout, targets: parseTargetModules(t.lora_target_modules), unfreeze: t.lora_unfreeze_layers }, seed)
    : fullTrainable(t.freeze_layers, modelConfig.tie_word_embeddings !== false)
  const trainEmbeddingTables = config.architecture.force_embedding_gradients || addedRows > 0
  const trainable = growVocabulary(trainEmbeddingTables ? trainEmbeddings(linearsOnly) : linearsOnly, addedRows)
  if (addedRows > 0) log(`add_prompt_answer_tokens: ${addedRows} new special tokens (${promptAnswerMarkers(config).map((m) => JSON.stringify(m)).join(', ')}); the token embedding grows by ${addedRows} rows (mean-initialised) and the embedding tables are trained.`)
  let loaded: LoadedModel | null = null
  const accumulator = new GradientAccumulator()
  let optimizer: ReturnType<typeof createOptimizer> | null = null
  try {
    loaded = loadModel(backboneDir, { makeLinear: trainable.factory, ...(trainable.embeddingFactory ? { makeEmbedding: trainable.embeddingFactory } : {}) })
    const model = loaded.model
    const variables = [...trainable.variables.values()]
    if (variables.length === 0) throw new Error(t.lora ? `training.lora_target_modules "${t.lora_target_modules}" matches no linear layer of this ${model.summary.modelType} model: linear layers are named like ${[...model.linears.keys()].slice(0, 3).join(', ')}.` : 'freeze_layers freezes every linear layer: nothing is left to train.')
    const trainableCount = variables.reduce((n, v) => n + v.size, 0)
    log(`${t.lora ? `LoRA on ${trainable.loraModules.length} modules` : 'Full fine-tuning of the linear layers'}: ${trainableCount.toLocaleString('en')} trainable parameters.`)
    optimizer = createOptimizer(variables, {
      optimizer: t.optimizer,
      learningRate: t.learning_rate,
      weightDecay: t.weight_decay,
      differentialLearningRateLayers: t.differential_learning_rate_layers,
      differentialLearningRate: t.differential_learning_rate,
    })
    const lossKind = lossFunctionFromConfig(t.loss_function)
    const state: LoopState = resumeState
      ? loadCheckpoint(lastDir, trainable.variables, optimizer, trainable.prefix)
      : { batch: 0, step: 0, seed, nextEvalAt: evalEvery, bestMetric: null, bestStep: null, lora: t.lora }
    if (resumeState) {
      log(`Resumed at batch ${state.batch} (optimizer step ${state.step}) from ${lastDir}.`)
      // Sent again: the host keeps one value per (name, step), so what it already stored is unchanged.
      for (const event of resumeState.recentMetrics ?? []) options.emit(event)
      delete state.recentMetrics
    }
    else if (config.architecture.pretrained_weights !== '') log(startFromPretrained(config.architecture.pretrained_weights, trainable))
    // NEFTune (augmentation.neftune_noise_alpha), as transformers: token embeddings + U(−m, m) noise with
    // m = alpha / √(T·C), while training only; seeded per micro-batch through the dropout control.
    const alpha = config.augmentation.neftune_noise_alpha
    const neftune = alpha > 0
      ? (x: tf.Tensor) => {
          const magnitude = alpha / Math.sqrt(x.shape[1]! * x.shape[2]!)
          return x.add(tf.randomUniform(x.shape, -magnitude, magnitude, 'float32', trainable.dropout.next()))
        }
      : undefined
    // architecture.intermediate_dropout: dropout on each attention and MLP output before the residual add
    // (GPT-2's resid_pdrop), while training only, seeded per micro-batch.
    const p = config.architecture.intermediate_dropout
    const residualDropout = p > 0 ? (x: tf.Tensor) => tf.dropout(x, p, undefined, trainable.dropout.next()) : undefined
    const checkpointer = config.architecture.gradient_checkpointing ? new GradientCheckpointing(trainable.variables, trainable.dropout) : null
    if (checkpointer) log('gradient_checkpointing: each layer keeps only its input in the forward pass and is recomputed in the backward pass.')
    const saveMode = t.save_checkpoint ?? (t.save_best_checkpoint ? 'best' : 'last')
    const evalCtx: EvaluationContext = { model, tokenizer, config, lossKind, padTokenId, eosTokenIds, log, yieldNow, ...(options.judge ? { judge: options.judge } : {}) }
    const save = async (dir: string, kind: 'last' | 'best' | 'evaluation') => {
      emit({ type: 'phase', phase: 'saving', detail: kind })
      const recentMetrics = unsaved.length > 0 ? unsaved : savedWithLast
      await saveCheckpoint(dir, trainable.variables, optimizer!, trainable.prefix, { ...state, recentMetrics })
      if (dir === lastDir) {
        savedWithLast = recentMetrics
        unsaved = []
      }
      emit({ type: 'checkpoint', step: state.step, path: dir, kind })
    }
    const epochAt = (batch: number) => batch / perEpoch

    const runEvaluation = async (): Promise<void> => {
      emit({ type: 'phase', phase: 'evaluating' })
      trainable.dropout.training = false
      const result = await evaluate(evalCtx, validationSamples)
      writePredictions(path.join(experimentDir, 'predictions.csv'), result)
      const metricKey = `val/${result.metricName}`
      emit({ type: 'metrics', step: state.step, epoch: epochAt(state.batch), values: { 'val/loss': result.loss, [metricKey]: result.metric } })
      log(`Evaluation at step ${state.step}: val/loss ${result.loss.toFixed(4)}, ${result.metricName} ${result.metric.toFixed(4)}.`)
      if (isBetterMetric(metricInfo, result.metric, state.bestMetric ?? undefined)) {
        state.bestMetric = result.metric
        state.bestStep = state.step
        emit({ type: 'best', name: result.metricName, value: result.metric, step: state.step })
        if (saveMode === 'best') await save(path.join(checkpointsDir, 'best'), 'best')
      }
      if (saveMode === 'each_evaluation') await save(path.join(checkpointsDir, `step-${state.step}`), 'evaluation')
      emit({ type: 'phase', phase: 'training' })
    }

    if (config.training.evaluate_before_training && state.batch === 0) await runEvaluation()
    emit({ type: 'phase', phase: 'training', detail: `${totalBatches} batches, ${totalSteps} optimizer steps` })
    emit({ type: 'progress', step: state.step, totalSteps, epoch: epochAt(state.batch), etaSeconds: null })
    const losses: number[] = []
    let windowLoss = 0
    let windowBatches = 0
    let windowTokens = 0
    let windowStart = performance.now()
    let stepSeconds: number | null = null
    const trainingStarted = performance.now()
    const batchesAtStart = state.batch
    let cancelled = false

    for (let k = state.batch; k < totalBatches; k++) {
      // batch
      const epoch = Math.floor(k / perEpoch)
      const inEpoch = k % perEpoch
      const batchSamples = batchIndices(epochOrder(trainSamples.length, seed, epoch), inEpoch, t.batch_size).map((i) => chains.at(i, epoch))
      const batch = makeBatch(batchSamples, batchSamples.map((_, i) => i), padTokenId, config.tokenizer.padding_quantile)
      const inputIds = maskTokens(batch, config.augmentation.token_mask_probability, padTokenId, (seed * 7 + k * 104729) >>> 0)
      const labels = nextTokenLabels(batch.labels, batch.batch, batch.time)
      // loss → grads
      trainable.dropout.training = true
      trainable.dropout.setStepSeed((seed + k * 65537) % 2147483647)
      const { value, grads } = tf.variableGrads(() => {
        const ids = tf.tensor2d(inputIds, [batch.batch, batch.time], 'int32')
        const logits = model.forward(ids, {
          attentionMask: batch.mask,
          positions: batch.positions,
          ...(neftune ? { inputEmbeddingsHook: neftune } : {}),
          ...(residualDropout ? { residualHook: residualDropout } : {}),
          ...(checkpointer ? { layerCheckpointer: checkpointer } : {}),
        })
        return causalLmLoss(lossKind, logits, labels)
      }, variables)
      checkpointer?.release()
      const loss = (await value.data())[0]! // data(): WebGPU in Node reads back asynchronously only
      losses.push(loss)
      accumulator.add(grads)
      tf.dispose([value, ...Object.values(grads)])
      windowLoss += loss
      windowBatches += 1
      windowTokens += batch.tokens
      state.batch = k + 1
      if (!isOptimizerStep(inEpoch, t.grad_accumulation, inEpoch === perEpoch - 1 || k === totalBatches - 1)) continue
      // clip → step
      const mean = accumulator.take()
      let gradNorm: number
      let stepGrads = mean
      if (t.gradient_clip > 0) {
        const clipped = await clipByGlobalNorm(mean, t.gradient_clip)
        gradNorm = clipped.totalNorm
        stepGrads = clipped.grads
      } else {
        gradNorm = await globalNorm(mean)
      }
      const lr = learningRateAt(t.schedule as ScheduleName, { step: k, totalSteps: scheduleTotal, warmupSteps, baseLr: t.learning_rate, minLrRatio: t.min_learning_rate_ratio })
      optimizer.setLearningRateFactor(lr / t.learning_rate)
      await optimizer.stepAsync(stepGrads)
      if (stepGrads !== mean) tf.dispose(Object.values(stepGrads))
      tf.dispose(Object.values(mean))
      state.step += 1
      // log
      const now = performance.now()
      const seconds = (now - windowStart) / 1000
      stepSeconds = stepSeconds === null ? seconds : 0.8 * stepSeconds + 0.2 * seconds
      const elapsedPerBatch = (now - trainingStarted) / 1000 / (state.batch - batchesAtStart)
      emit({
        type: 'metrics',
        step: state.step,
        epoch: epochAt(state.batch),
        values: { 'train/loss': windowLoss / windowBatches, 'train/lr': lr, 'train/tokens_per_s': windowTokens / Math.max(seconds, 1e-9), 'train/grad_norm': gradNorm },
      })
      emit({ type: 'progress', step: state.step, totalSteps, epoch: epochAt(state.batch), etaSeconds: Math.max(0, elapsedPerBatch * (totalBatches - state.batch)) })
      windowLoss = 0
      windowBatches = 0
      windowTokens = 0
      // evaluate
      if (state.batch >= state.nextEvalAt || state.batch === totalBatches) {
        while (state.nextEvalAt <= state.batch) state.nextEvalAt += evalEvery
        await runEvaluation()
        if (saveMode !== 'none' || state.batch < totalBatches) await save(lastDir, 'last')
      }
      await yieldNow()
      windowStart = performance.now()
      if (options.isCancelled?.() && state.batch < totalBatches) {
        await save(lastDir, 'last')
        cancelled = true
        break
      }
    }
    if (cancelled) {
      emit({ type: 'cancelled', step: state.step })
      return { status: 'cancelled', step: state.step, summary: {}, losses }
    }

    // ---- export
    emit({ type: 'phase', phase: 'exporting' })
    if (!hasCheckpoint(lastDir)) await save(lastDir, 'last')
    const exportFrom = saveMode === 'best' && hasCheckpoint(path.join(checkpointsDir, 'best')) ? path.join(checkpointsDir, 'best') : lastDir
    let adapterDir: string | null = null
    if (t.lora) {
      adapterDir = path.join(experimentDir, 'adapter')
      exportPeftAdapter(exportFrom, adapterDir, {
        baseModel: config.llm_backbone,
        modelType: model.summary.modelType,
        r: t.lora_r,
        alpha: t.lora_alpha,
        dropout: t.lora_dropout,
        useRslora: t.use_rslora,
        targets: parseTargetModules(t.lora_target_modules),
      })
      log(`Saved the PEFT adapter to ${adapterDir}.`)
    }
    let mergedDir: string | null = null
    const unfrozen = t.lora && trainable.variables.size > trainable.loraModules.length * 2
    if (unfrozen) log(`lora_unfreeze_layers / force_embedding_gradients${addedRows > 0 ? ' / add_prompt_answer_tokens' : ''}: the tensors trained in full${addedRows > 0 ? ' and the grown vocabulary' : ''} are not in adapter/ (a PEFT adapter holds LoRA factors only); use merged/.`, 'warn')
    // With prompt/answer tokens the chat page and command answer through merged/, so it is always written.
    if (options.exportMerged ?? (!t.lora || unfrozen || promptAnswerMarkers(config).length > 0)) {
      mergedDir = path.join(experimentDir, 'merged')
      const addedTokens = tokenizer instanceof AddedSpecialTokensTokenizer ? tokenizer.added : []
      const { replaced, notes } = exportMergedModel(backboneDir, exportFrom, mergedDir, { modelType: model.summary.modelType, loraScale: loraScale(t.lora_alpha, t.lora_r, t.use_rslora), addedTokens })
      for (const note of notes) log(note, 'warn')
      log(`Saved the ${t.lora ? 'merged' : 'fine-tuned'} model (${replaced.length} tensors changed) to ${mergedDir}.`)
    }
    if (saveMode === 'none') fs.rmSync(checkpointsDir, { recursive: true, force: true })
    const summary = {
      steps: state.step,
      batches: state.batch,
      final_train_loss: losses.at(-1) ?? null,
      best_metric: state.bestMetric,
      best_step: state.bestStep,
      metric: metricInfo.name,
      trainable_parameters: trainableCount,
      adapter: adapterDir,
      merged: mergedDir,
      seconds: Math.round((performance.now() - trainingStarted) / 100) / 10,
      seed,
    }
    return { status: 'done', step: state.step, summary, losses }
  } finally {
    accumulator.dispose()
    optimizer?.dispose()
    loaded?.model.dispose()
    if (!loaded) for (const v of trainable.variables.values()) v.dispose()
  }
}
