/**
 * In-process inference for the headless CLI (`finetune-studio forward` / `generate`): choose a backend,
 * load a model folder (+ adapter), run. The host process of the app never calls this: it forks worker.ts.
 */
import { performance } from 'node:perf_hooks'
import { chooseBackend, resolveBackendChoice, tf, type ChosenBackend } from './backend'
import { generateIds, streamIds, withDefaults, type ModelGenerateOptions } from './generation'
import type { FinishReason } from './generation'
import { causalLmLoss } from './models/loss'
import { loadModel, type LoadedModel } from './models/registry'
import { loadTokenizer, type Tokenizer } from './tokenizers'
import type { BackendChoice } from '../src-shared/engine-protocol'
import type { GenerationSettings } from '../src-shared/inference-protocol'

export async function startInProcessEngine(requested: BackendChoice = 'auto'): Promise<ChosenBackend> {
  return chooseBackend(resolveBackendChoice(requested))
}

export interface ForwardResult {
  /** [T][V] */
  logits: number[][]
  /** Mean next-token cross-entropy over the ids (null for a single id). */
  loss: number | null
}

export async function forwardIds(model: LoadedModel, ids: readonly number[]): Promise<ForwardResult> {
  if (ids.length === 0) throw new Error('forward: --ids needs at least one token id.')
  const V = model.model.summary.vocabSize
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= V)
  if (bad !== undefined) throw new Error(`forward: token id ${bad} is outside this model's vocabulary (0…${V - 1}).`)
  const input = tf.tensor2d([[...ids]], [1, ids.length], 'int32')
  const logits = tf.tidy(() => model.model.forward(input))
  const loss = ids.length > 1 ? causalLmLoss(logits, input) : null
  const values = (await logits.array()) as number[][][]
  const lossValue = loss ? (await loss.data())[0]! : null
  tf.dispose([input, logits, ...(loss ? [loss] : [])])
  return { logits: values[0]!, loss: lossValue }
}

/** A chat answer's generation settings (the experiment's prediction section) in the generator's terms. */
export function generateOptionsOf(s: GenerationSettings, signal?: AbortSignal): ModelGenerateOptions {
  return {
    maxNewTokens: s.maxNewTokens,
    minNewTokens: s.minNewTokens,
    doSample: s.doSample,
    temperature: s.temperature,
    topK: s.topK,
    topP: s.topP,
    repetitionPenalty: s.repetitionPenalty,
    numBeams: s.numBeams,
    stopStrings: s.stopStrings,
    maxTimeSeconds: s.maxTimeSeconds > 0 ? s.maxTimeSeconds : undefined,
    seed: s.seed,
    ...(signal ? { signal } : {}),
  }
}

export interface GenerateRequest {
  /** Text (encoded with the model's tokenizer, special tokens added as the tokenizer's post-processor says)… */
  prompt?: string
  /** …or token ids. */
  ids?: number[]
  options: ModelGenerateOptions
  /** Called with each piece of text as it is decoded (greedy and sampling stream; beam search at the end). */
  onText?: (text: string) => void
}

export interface GenerateOutcome {
  ids: number[]
  text: string
  finishReason: FinishReason
  tokensPerSecond: number
}

export async function generateFromModel(model: LoadedModel, tokenizer: Tokenizer | null, request: GenerateRequest): Promise<GenerateOutcome> {
  let promptIds = request.ids
  if (!promptIds) {
    if (request.prompt === undefined) throw new Error('generate: give --prompt TEXT or --ids "1 2 3".')
    if (!tokenizer) throw new Error('generate: --prompt needs the model folder\'s tokenizer; pass --ids instead.')
    promptIds = tokenizer.encode(request.prompt, { addSpecialTokens: true })
  }
  const decode = tokenizer ? (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true }) : undefined
  const options = withDefaults({ ...request.options, ...(decode ? { decode } : {}) }, model.generation)
  const started = performance.now()
  let ids: number[] = []
  let finishReason: FinishReason | undefined
  if ((options.numBeams ?? 1) > 1) {
    const result = await generateIds(model.model, [promptIds], options)
    ids = result.ids[0]!
    finishReason = result.finishReasons[0]!
    if (decode) request.onText?.(decode(ids))
  } else {
    const streamDecoder = tokenizer?.createStreamDecoder({ skipSpecialTokens: true })
    const stream = streamIds(model.model, [promptIds], options)
    for (;;) {
      const next = await stream.next()
      if (next.done) {
        finishReason = next.value[0] ?? 'length'
        break
      }
      const token = next.value.tokens[0]
      if (token === null || token === undefined) continue
      ids.push(token)
      if (streamDecoder) request.onText?.(streamDecoder.push(token))
    }
    if (streamDecoder) request.onText?.(streamDecoder.flush())
  }
  const seconds = (performance.now() - started) / 1000
  return { ids, text: decode ? decode(ids) : '', finishReason: finishReason ?? 'length', tokensPerSecond: ids.length / seconds }
}

export { loadModel, loadTokenizer }
