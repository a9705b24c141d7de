/**
 * Logits processors and warpers as transformers (4.40) defines them, on one row of scores (length V),
 * in place. The order is transformers' order (see scoresFor in generate.ts):
 *   processors: repetition_penalty → min_new_tokens;   warpers (sampling only): temperature → top_k → top_p.
 * Removed tokens get −Infinity, as transformers' filter_value.
 */

/**
 * RepetitionPenaltyLogitsProcessor: every id that occurs in the sequence so far (prompt included, padding
 * included, as transformers gathers from input_ids) has its score divided by the penalty when positive,
 * multiplied by it when negative. Each id once, however often it occurs.
 */
export function applyRepetitionPenalty(scores: Float32Array | Float64Array, sequence: readonly number[], penalty: number): void {
  if (penalty === 1) return
  for (const id of new Set(sequence)) {
    const s = scores[id]
    if (s === undefined) continue
    scores[id] = s < 0 ? s * penalty : s / penalty
  }
}

/** MinNewTokensLengthLogitsProcessor: before min_new_tokens new tokens, no EOS can be chosen. */
export function applyMinNewTokens(scores: Float32Array | Float64Array, newTokens: number, minNewTokens: number, eosTokenIds: readonly number[]): void {
  if (newTokens >= minNewTokens) return
  for (const id of eosTokenIds) if (id < scores.length) scores[id] = Number.NEGATIVE_INFINITY
}

/** TemperatureLogitsWarper: scores / temperature. */
export function applyTemperature(scores: Float32Array | Float64Array, temperature: number): void {
  if (temperature === 1) return
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / temperature
}

/** TopKLogitsWarper: keep the scores ≥ the k-th largest (ties with it survive), k ≥ minTokensToKeep. */
export function applyTopK(scores: Float32Array | Float64Array, topK: number, minTokensToKeep = 1): void {
  if (topK <= 0) return // top_k 0 (or None) adds no warper in transformers
  const k = Math.min(Math.max(topK, minTokensToKeep), scores.length)
  if (k <= 0 || k >= scores.length) return
  const kth = Float64Array.from(scores).sort()[scores.length - k]! // numeric typed sort: fast on large vocabularies
  for (let i = 0; i < scores.length; i++) if (scores[i]! < kth) scores[i] = Number.NEGATIVE_INFINITY
}

/**
 * TopPLogitsWarper: sort ascending, cumulative softmax; remove the tokens whose cumulative probability is
 * ≤ 1 − top_p (the low tail), always keeping the minTokensToKeep most likely.
 */
export function applyTopP(scores: Float32Array | Float64Array, topP: number, minTokensToKeep = 1): void {
  if (topP >= 1) return
  // Tokens already at −∞ (e.g. after top_k) have probability 0: they stay removed and need no sorting.
  const finite: number[] = []
  for (let i = 0; i < scores.length; i++) if (scores[i] !== Number.NEGATIVE_INFINITY) finite.push(i)
  const order = finite.sort((a, b) => scores[a]! - scores[b]! || a - b) // ascending (stable)
  const probs = softmax(order.map((i) => scores[i]!))
  let cumulative = 0
  const keepFrom = scores.length - minTokensToKeep - (scores.length - order.length) // positions counted over the whole row
  for (let j = 0; j < order.length; j++) {
    cumulative += probs[j]!
    if (cumulative <= 1 - topP && j < keepFrom) scores[order[j]!] = Number.NEGATIVE_INFINITY
  }
}

export function softmax(scores: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!)
  const out = new Float64Array(scores.length)
  let sum = 0
  for (let i = 0; i < scores.length; i++) sum += out[i] = Math.exp(scores[i]! - max)
  for (let i = 0; i < out.length; i++) out[i]! /= sum
  return out
}

export function logSoftmax(scores: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!)
  let sum = 0
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i]! - max)
  const logSum = max + Math.log(sum)
  const out = new Float64Array(scores.length)
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! - logSum
  return out
}

/** The first index of the largest score (torch.argmax). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i
  return best
}

/** Inverse-CDF draw from probabilities with u ∈ [0, 1). */
export function sampleIndex(probs: ArrayLike<number>, u: number): number {
  let cumulative = 0
  let last = 0
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! <= 0) continue
    last = i
    cumulative += probs[i]!
    if (u < cumulative) return i
  }
  return last
}
