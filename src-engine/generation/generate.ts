/**
 * Text generation as transformers (4.40) does it, on any LogitsStepper: greedy search, sampling
 * (temperature, top_k, top_p) and beam search, with repetition_penalty, min_new_tokens, max_new_tokens,
 * EOS, stop strings and max_time. Tokens stream out as an async iterator (one event per step).
 *
 * Order per step, as transformers' _get_logits_processor / _get_logits_warper:
 *   logits → repetition_penalty → min_new_tokens (EOS → −∞) → [sampling: temperature → top_k → top_p]
 *   → greedy: argmax; sampling: softmax, draw; beam search: the processors act on log_softmax(logits).
 * A finished row (EOS or a stop string) gets pad tokens afterwards, which are not reported as new tokens.
 */
import { applyMinNewTokens, applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, logSoftmax, sampleIndex, softmax } from './processors'
import { seededRng } from './rng'
import type { LogitsStepper } from './stepper'

export interface GenerateOptions {
  /** The largest number of new tokens (max_new_tokens). */
  maxNewTokens: number
  /** EOS cannot be chosen before this many new tokens (min_new_tokens). */
  minNewTokens?: number
  doSample?: boolean
  temperature?: number
  /** transformers' default is 50 (sampling only); 0 turns it off. */
  topK?: number
  topP?: number
  repetitionPenalty?: number
  numBeams?: number
  lengthPenalty?: number
  /** Ids that end a row; [] generates to max_new_tokens. */
  eosTokenIds?: readonly number[]
  /** Filler for finished rows (default: the first EOS id, then 0, as transformers falls back). */
  padTokenId?: number
  /** A row ends once the text of its new tokens contains one of these (needs decode). */
  stopStrings?: readonly string[]
  decode?: (ids: readonly number[]) => string
  /** Stop every row after this many seconds (max_time). */
  maxTimeSeconds?: number
  seed?: number
  signal?: AbortSignal
  /** Report the processed scores of each step (what transformers' output_scores returns). */
  outputScores?: boolean
  /** The rows' prompts as the stepper holds them (left-padded), for repetition_penalty. */
  promptIds: readonly (readonly number[])[]
}

export type FinishReason = 'eos' | 'stop-string' | 'length' | 'time' | 'aborted'

export interface GenerateStep {
  step: number
  /** The new token of each row this step, or null for a row that had already finished. */
  tokens: (number | null)[]
  /** Processed next-token scores of each row (when outputScores). */
  scores?: Float32Array[]
}

export interface GenerateResult {
  /** New tokens per row (EOS included when it ended the row). */
  ids: number[][]
  finishReasons: FinishReason[]
  /** Per step, per row (when outputScores; greedy and sampling). */
  scores: Float32Array[][]
  /** Beam search: the length-normalised sum of log-probabilities of the chosen hypothesis. */
  beamScores?: number[]
}

function validate(o: GenerateOptions): void {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new Error(`Generation: ${message}`)
  }
  check(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 1, `max_new_tokens must be a whole number ≥ 1, got ${o.maxNewTokens}.`)
  check(o.minNewTokens === undefined || (Number.isInteger(o.minNewTokens) && o.minNewTokens >= 0), `min_new_tokens must be a whole number ≥ 0, got ${o.minNewTokens}.`)
  // As transformers: temperature only shapes sampling, so greedy and beam search accept any value (even 0).
  check(!o.doSample || o.temperature === undefined || o.temperature > 0, `temperature must be > 0 when sampling, got ${o.temperature}.`)
  check(o.topK === undefined || (Number.isInteger(o.topK) && o.topK >= 0), `top_k must be a whole number ≥ 0, got ${o.topK}.`)
  check(o.topP === undefined || (o.topP > 0 && o.topP <= 1), `top_p must be in (0, 1], got ${o.topP}.`)
  check(o.repetitionPenalty === undefined || o.repetitionPenalty > 0, `repetition_penalty must be > 0, got ${o.repetitionPenalty}.`)
  check(o.numBeams === undefined || (Number.isInteger(o.numBeams) && o.numBeams >= 1), `num_beams must be a whole number ≥ 1, got ${o.numBeams}.`)
  check(!(o.doSample && (o.numBeams ?? 1) > 1), 'beam sampling (do_sample with num_beams > 1) is not supported.')
  check(!(o.stopStrings?.length && !o.decode), 'stop strings need a tokenizer to decode with.')
}

/** Processors (and warpers when sampling) on one row's logits, in transformers' order. */
function processScores(scores: Float32Array | Float64Array, sequence: readonly number[], newTokens: number, o: GenerateOptions, warp: boolean): void {
  applyRepetitionPenalty(scores, sequence, o.repetitionPenalty ?? 1)
  applyMinNewTokens(scores, newTokens, o.minNewTokens ?? 0, o.eosTokenIds ?? [])
  if (!warp) return
  applyTemperature(scores, o.temperature ?? 1)
  applyTopK(scores, o.topK ?? 50)
  applyTopP(scores, o.topP ?? 1)
}

function endsWithStop(o: GenerateOptions, ids: readonly number[]): boolean {
  if (!o.stopStrings?.length || !o.decode) return false
  const text = o.decode(ids)
  return o.stopStrings.some((s) => s.length > 0 && text.includes(s))
}

/** Greedy search or sampling, one event per step. Use `generate` for beam search or a collected result. */
export async function* generateStream(stepper: LogitsStepper, o: GenerateOptions): AsyncGenerator<GenerateStep, FinishReason[]> {
  validate(o)
  if ((o.numBeams ?? 1) > 1) throw new Error('Generation: beam search does not stream; call generate().')
  const B = o.promptIds.length
  const eos = o.eosTokenIds ?? []
  const pad = o.padTokenId ?? eos[0] ?? 0
  const rng = seededRng(o.seed ?? 0)
  const started = Date.now()
  const sequences = o.promptIds.map((p) => [...p])
  const newIds: number[][] = o.promptIds.map(() => [])
  const finished: (FinishReason | null)[] = new Array<FinishReason | null>(B).fill(null)
  let logits = await stepper.start()
  for (let step = 0; step < o.maxNewTokens; step++) {
    const tokens: (number | null)[] = []
    const scores: Float32Array[] = []
    for (let b = 0; b < B; b++) {
      const row = Float32Array.from(logits[b]!)
      processScores(row, sequences[b]!, step, o, o.doSample === true)
      if (o.outputScores) scores.push(row)
      const chosen = o.doSample ? sampleIndex(softmax(row), rng()) : argmax(row)
      tokens.push(finished[b] ? null : chosen)
    }
    const fed = tokens.map((t) => t ?? pad)
    fed.forEach((t, b) => sequences[b]!.push(t))
    for (let b = 0; b < B; b++) {
      const t = tokens[b]
      if (t === null || t === undefined) continue
      newIds[b]!.push(t)
      if (eos.includes(t)) finished[b] = 'eos'
      else if (endsWithStop(o, newIds[b]!)) finished[b] = 'stop-string'
    }
    yield { step, tokens, ...(o.outputScores ? { scores } : {}) }
    if (finished.every((f) => f !== null)) break
    const outOfTime = o.maxTimeSeconds !== undefined && (Date.now() - started) / 1000 > o.maxTimeSeconds
    if (outOfTime || o.signal?.aborted) {
      for (let b = 0; b < B; b++) finished[b] ??= outOfTime ? 'time' : 'aborted'
      break
    }
    if (step + 1 < o.maxNewTokens) logits = await stepper.step(fed)
  }
  return finished.map((f) => f ?? 'length')
}

/** Greedy, sampling or beam search, collected. */
export async function generate(stepper: LogitsStepper, o: GenerateOptions): Promise<GenerateResult> {
  if ((o.numBeams ?? 1) > 1) return beamSearch(stepper, o)
  const ids: number[][] = o.promptIds.map(() => [])
  const scores: Float32Array[][] = []
  const stream = generateStream(stepper, o)
  for (;;) {
    const next = await stream.next()
    if (next.done) return { ids, finishReasons: next.value, scores }
    next.value.tokens.forEach((t, b) => t !== null && ids[b]!.push(t))
    if (next.value.scores) scores.push(next.value.scores)
  }
}

interface Hypothesis {
  score: number
  tokens: number[]
  endedByEos: boolean
}

/** transformers' BeamHypotheses: the best num_beams finished hypotheses of one prompt. */
class BeamHypotheses {
  readonly beams: Hypothesis[] = []
  worstScore = 1e9

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
  ) {}

  add(tokens: number[], sumLogprobs: number, generatedLength: number, endedByEos: boolean): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty
    if (this.beams.length < this.numBeams || score > this.worstScore) {
      this.beams.push({ score, tokens, endedByEos })
      if (this.beams.length > this.numBeams) {
        const sorted = this.beams.map((h, i) => [h.score, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
        this.beams.splice(sorted[0]![1], 1)
        this.worstScore = sorted[1]![0]
      } else {
        this.worstScore = Math.min(score, this.worstScore)
      }
    }
  }

  /** early_stopping=False: done when no running beam can beat the worst kept hypothesis. */
  isDone(bestSumLogprobs: number, generatedLength: number): boolean {
    if (this.beams.length < this.numBeams) return false
    return this.worstScore >= bestSumLogprobs / generatedLength ** this.lengthPenalty
  }

  best(): Hypothesis {
    // Python's sorted() is stable and pop() takes the last: among equal scores, the last added wins.
    const sorted = this.beams.map((h, i) => ({ h, i })).sort((a, b) => a.h.score - b.h.score || a.i - b.i)
    return sorted[sorted.length - 1]!.h
  }
}

/**
 * Beam search (transformers' _beam_search with BeamSearchScorer, early_stopping=False): the stepper holds
 * num_beams rows per prompt (prompt i's beams are rows i·N … i·N+N−1), all starting from the prompt.
 */
export async function beamSearch(stepper: LogitsStepper, o: GenerateOptions): Promise<GenerateResult> {
  validate(o)
  const N = o.numBeams ?? 1
  const batch = o.promptIds.length / N
  if (!Number.isInteger(batch)) throw new Error(`Beam search: ${o.promptIds.length} rows is not a multiple of num_beams ${N}.`)
  const V = stepper.vocabSize
  const eos = o.eosTokenIds ?? []
  const pad = o.padTokenId ?? eos[0] ?? 0
  const lengthPenalty = o.lengthPenalty ?? 1
  const started = Date.now()
  let sequences = o.promptIds.map((p) => [...p])
  let newIds: number[][] = o.promptIds.map(() => [])
  const beamScores: number[] = Array.from({ length: batch * N }, (_, r) => (r % N === 0 ? 0 : -1e9))
  const hyps = Array.from({ length: batch }, () => new BeamHypotheses(N, lengthPenalty))
  const done = new Array<boolean>(batch).fill(false)
  const candidatesPerPrompt = Math.max(2, 1 + eos.length) * N
  let stoppedEarly: FinishReason | null = null

  let logits = await stepper.start()
  for (let generated = 0; ; ) {
    // scores[r] = processed log_softmax(logits[r]) + beam score of row r
    const rowScores = logits.map((l, r) => {
      const s = logSoftmax(l)
      applyRepetitionPenalty(s, sequences[r]!, o.repetitionPenalty ?? 1)
      applyMinNewTokens(s, generated, o.minNewTokens ?? 0, eos)
      for (let v = 0; v < V; v++) s[v] = s[v]! + beamScores[r]!
      return s
    })
    const nextRows: number[] = []
    const nextTokens: number[] = []
    const nextScores: number[] = []
    for (let i = 0; i < batch; i++) {
      if (done[i]) {
        for (let j = 0; j < N; j++) {
          nextRows.push(i * N)
          nextTokens.push(pad)
          nextScores.push(0)
        }
        continue
      }
      // top 2N of the N·V candidates, best first (torch.topk, sorted; ties by index)
      const flat: { score: number; index: number }[] = []
      for (let j = 0; j < N; j++) {
        const s = rowScores[i * N + j]!
        for (let v = 0; v < V; v++) flat.push({ score: s[v]!, index: j * V + v })
      }
      flat.sort((a, b) => b.score - a.score || a.index - b.index)
      const top = flat.slice(0, candidatesPerPrompt)
      let kept = 0
      for (let rank = 0; rank < top.length && kept < N; rank++) {
        const { score, index } = top[rank]!
        const row = i * N + Math.floor(index / V)
        const token = index % V
        if (eos.includes(token)) {
          if (rank >= N) continue
          hyps[i]!.add([...newIds[row]!, token], score, generated + 1, true)
        } else {
          nextRows.push(row)
          nextTokens.push(token)
          nextScores.push(score)
          kept++
        }
      }
      done[i] = hyps[i]!.isDone(top[0]!.score, generated + 1)
    }
    sequences = nextRows.map((r, k) => [...sequences[r]!, nextTokens[k]!])
    newIds = nextRows.map((r, k) => [...newIds[r]!, nextTokens[k]!])
    nextScores.forEach((s, k) => (beamScores[k] = s))
    stepper.reorder(nextRows)
    generated++
    if (done.every(Boolean) || generated >= o.maxNewTokens) break
    if (o.maxTimeSeconds !== undefined && (Date.now() - started) / 1000 > o.maxTimeSeconds) {
      stoppedEarly = 'time'
      break
    }
    if (o.signal?.aborted) {
      stoppedEarly = 'aborted'
      break
    }
    logits = await stepper.step(nextTokens)
  }
  // finalize: the running beams of unfinished prompts compete with the finished hypotheses
  for (let i = 0; i < batch; i++) {
    if (done[i]) continue
    for (let j = 0; j < N; j++) hyps[i]!.add(newIds[i * N + j]!, beamScores[i * N + j]!, newIds[i * N + j]!.length, false)
  }
  const best = hyps.map((h) => h.best())
  return {
    ids: best.map((h) => h.tokens),
    finishReasons: best.map((h) => (h.endedByEos ? 'eos' : (stoppedEarly ?? 'length'))),
    scores: [],
    beamScores: best.map((h) => h.score),
  }
}
