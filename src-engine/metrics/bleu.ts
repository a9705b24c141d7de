/**
 * BLEU as sacrebleu computes it (sacrebleu 2.x, metrics/bleu.py, tokenizers/tokenizer_13a.py and
 * tokenizer_re.py), for the validation metric "BLEU": H2O LLM Studio scores each sample with
 * BLEU(effective_order=True).sentence_score(prediction, [target]) — 13a tokenizer, exp smoothing, case kept —
 * and averages the per-sample scores; an empty target scores 0.
 *
 * Pieces, in sacrebleu's order:
 *   tokenize13a: mteval-v13a's tokenisation (drop <skipped>, join "-\n", unescape &quot; &amp; &lt; &gt;,
 *                split off punctuation and symbols, split . and , unless between digits, split - after a digit);
 *   segmentStatistics: hypothesis length, closest reference length (ties → the shorter), and for n = 1..4 the
 *                clipped n-gram matches (counts clipped by the max count over references) and totals;
 *   computeBleu: brevity penalty, precisions with smoothing (none / floor / add-k / exp), effective order,
 *                geometric mean; no match at all scores 0 (sacrebleu #141).
 * corpusBleu sums the statistics over segments before computeBleu, as sacrebleu's corpus_score.
 */

export type SmoothMethod = 'none' | 'floor' | 'add-k' | 'exp'

const maxNgramOrder = 4

/** sacrebleu's TokenizerRegexp rules, applied in order to " line " (13a adds the surrounding spaces). */
const regexpRules: [RegExp, string][] = [
  // language-dependent part (assuming Western languages): { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // tokenize period and comma unless preceded by a digit
  [/([^0-9])([.,])/g, '$1 $2 '],
  // tokenize period and comma unless followed by a digit
  [/([.,])([^0-9])/g, ' $1 $2'],
  // tokenize dash when preceded by a digit
  [/([0-9])(-)/g, '$1 $2 '],
]

/** Python's whitespace (str.isspace): JS's \s lacks \x1c-\x1f and \x85, and adds \ufeff. */
// eslint-disable-next-line no-control-regex -- Python counts \x1c-\x1f as whitespace; matching it is the point
const pythonWhitespace = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/
const trailingPythonWhitespace = new RegExp(`${pythonWhitespace.source}$`)

/** Python's str.split(): runs of whitespace, no empty strings. */
function splitWhitespace(text: string): string[] {
  return text.split(pythonWhitespace).filter((token) => token.length > 0)
}

export function tokenize13a(line: string): string {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ')
  text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>')
  text = ` ${text} `
  for (const [pattern, replacement] of regexpRules) text = text.replace(pattern, replacement)
  return splitWhitespace(text).join(' ')
}

/** sacrebleu's _preprocess_segment: optional lowercase, strip trailing whitespace, tokenise. */
function preprocess(sentence: string, lowercase: boolean): string {
  return tokenize13a((lowercase ? sentence.toLowerCase() : sentence).replace(trailingPythonWhitespace, ''))
}

/** n-gram counts for n = 1..4 of a tokenised line (keys joined with a separator no token contains). */
function ngramCounts(tokens: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (let n = 1; n <= maxNgramOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = `${n}\u0001${tokens.slice(i, i + n).join('\u0001')}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  return counts
}

export interface BleuStatistics {
  hypLength: number
  refLength: number
  /** Clipped matches for n = 1..4. */
  correct: number[]
  /** Hypothesis n-grams for n = 1..4. */
  total: number[]
}

/** Statistics of one (already tokenised) hypothesis against its (tokenised) references. */
export function segmentStatistics(hypothesis: string, references: string[]): BleuStatistics {
  const hypTokens = splitWhitespace(hypothesis)
  let refNgrams: Map<string, number> | null = null
  const refLengths: number[] = []
  for (const reference of references) {
    const tokens = splitWhitespace(reference)
    refLengths.push(tokens.length)
    const counts = ngramCounts(tokens)
    if (!refNgrams) refNgrams = counts
    else for (const [key, count] of counts) refNgrams.set(key, Math.max(refNgrams.get(key) ?? 0, count))
  }
  // closest reference length; on a tie, the shorter one
  let closestDiff = -1
  let refLength = -1
  for (const length of refLengths) {
    const diff = Math.abs(hypTokens.length - length)
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff
      refLength = length
    } else if (diff === closestDiff && length < refLength) {
      refLength = length
    }
  }
  const correct = new Array<number>(maxNgramOrder).fill(0)
  const total = new Array<number>(maxNgramOrder).fill(0)
  for (let n = 1; n <= maxNgramOrder; n++) total[n - 1] = Math.max(0, hypTokens.length - n + 1)
  for (const [key, count] of ngramCounts(hypTokens)) {
    const n = Number(key.slice(0, key.indexOf('\u0001')))
    correct[n - 1]! += Math.min(count, refNgrams?.get(key) ?? 0)
  }
  return { hypLength: hypTokens.length, refLength, correct, total }
}

export interface BleuOptions {
  smoothMethod?: SmoothMethod
  /** floor: default 0.1; add-k: default 1. */
  smoothValue?: number
  effectiveOrder?: boolean
  lowercase?: boolean
}

export interface BleuScore {
  /** 0..100, as sacrebleu reports it. */
  score: number
  precisions: number[]
  brevityPenalty: number
  statistics: BleuStatistics
}

/** sacrebleu's my_log: log(0) is a very negative number, not -Infinity. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x)
}

/** sacrebleu's BLEU.compute_bleu from sufficient statistics. */
export function computeBleu(statistics: BleuStatistics, options: BleuOptions = {}): BleuScore {
  const smoothMethod = options.smoothMethod ?? 'exp'
  const smoothValue = options.smoothValue ?? (smoothMethod === 'floor' ? 0.1 : smoothMethod === 'add-k' ? 1 : 0)
  const effectiveOrder = options.effectiveOrder ?? false
  const { hypLength: sysLen, refLength: refLen } = statistics
  const correct = [...statistics.correct]
  const total = [...statistics.total]
  const brevityPenalty = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1
  const precisions = new Array<number>(maxNgramOrder).fill(0)
  if (!correct.some((c) => c !== 0)) return { score: 0, precisions, brevityPenalty, statistics }
  let smoothMteval = 1
  let order = maxNgramOrder
  for (let n = 1; n <= maxNgramOrder; n++) {
    if (smoothMethod === 'add-k' && n > 1) {
      correct[n - 1]! += smoothValue
      total[n - 1]! += smoothValue
    }
    if (total[n - 1] === 0) break
    if (effectiveOrder) order = n
    if (correct[n - 1] === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!)
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1]!
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!
    }
  }
  let logSum = 0
  for (let n = 0; n < order; n++) logSum += myLog(precisions[n]!)
  return { score: brevityPenalty * Math.exp(logSum / order), precisions, brevityPenalty, statistics }
}

/**
 * sacrebleu's BLEU(...).sentence_score(hypothesis, references). Defaults are the metric's settings:
 * exp smoothing, effective order on, case kept.
 */
export function sentenceBleu(hypothesis: string, references: string[], options: BleuOptions = {}): BleuScore {
  const lowercase = options.lowercase ?? false
  const statistics = segmentStatistics(
    preprocess(hypothesis, lowercase),
    references.map((r) => preprocess(r, lowercase)),
  )
  return computeBleu(statistics, { effectiveOrder: true, ...options })
}

/**
 * sacrebleu's corpus_bleu(hypotheses, referenceStreams): referenceStreams[k][i] is the k-th reference
 * of hypothesis i. Defaults as sacrebleu's BLEU(): exp smoothing, effective order off.
 */
export function corpusBleu(hypotheses: string[], referenceStreams: string[][], options: BleuOptions = {}): BleuScore {
  const lowercase = options.lowercase ?? false
  const sum: BleuStatistics = { hypLength: 0, refLength: 0, correct: [0, 0, 0, 0], total: [0, 0, 0, 0] }
  hypotheses.forEach((hypothesis, i) => {
    const s = segmentStatistics(
      preprocess(hypothesis, lowercase),
      referenceStreams.map((stream) => preprocess(stream[i] ?? '', lowercase)),
    )
    sum.hypLength += s.hypLength
    sum.refLength += s.refLength
    for (let n = 0; n < maxNgramOrder; n++) {
      sum.correct[n]! += s.correct[n]!
      sum.total[n]! += s.total[n]!
    }
  })
  return computeBleu(sum, options)
}

/**
 * The validation metric: per-sample sentence BLEU (an empty target scores 0, as H2O) and their mean.
 */
export function bleuMetric(predictions: string[], targets: string[]): { perSample: number[]; mean: number } {
  if (predictions.length !== targets.length) throw new Error(`BLEU needs one prediction per target: got ${predictions.length} predictions and ${targets.length} targets.`)
  const perSample = predictions.map((prediction, i) => (targets[i] === '' ? 0 : sentenceBleu(prediction, [targets[i]!]).score))
  const mean = perSample.length > 0 ? perSample.reduce((a, b) => a + b, 0) / perSample.length : 0
  return { perSample, mean }
}
