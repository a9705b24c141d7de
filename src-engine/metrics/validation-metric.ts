/**
 * The config's prediction.metric names and what the trainer needs to know about each: which way is better
 * (for save_best_checkpoint), and whether it needs generated answers (Perplexity does not: it reads the
 * validation logits, as H2O LLM Studio skips generation for it). H2O's own YAML calls the judge "GPT".
 */

export const validationMetricNames = ['BLEU', 'Perplexity', 'OpenAI API'] as const
export type ValidationMetricName = (typeof validationMetricNames)[number]

export interface ValidationMetricInfo {
  name: ValidationMetricName
  higherIsBetter: boolean
  needsGeneration: boolean
}

const infos: Record<ValidationMetricName, ValidationMetricInfo> = {
  BLEU: { name: 'BLEU', higherIsBetter: true, needsGeneration: true },
  Perplexity: { name: 'Perplexity', higherIsBetter: false, needsGeneration: false },
  'OpenAI API': { name: 'OpenAI API', higherIsBetter: true, needsGeneration: true },
}

export function validationMetric(name: string): ValidationMetricInfo {
  const canonical = name === 'GPT' ? 'OpenAI API' : name
  const info = infos[canonical as ValidationMetricName]
  if (!info) throw new Error(`Unknown metric ${name}. Choose one of ${validationMetricNames.join(', ')}.`)
  return info
}

/** True when `candidate` beats `best` for this metric; NaN never wins, anything beats no value yet. */
export function isBetterMetric(info: ValidationMetricInfo, candidate: number, best: number | undefined): boolean {
  if (Number.isNaN(candidate)) return false
  if (best === undefined || Number.isNaN(best)) return true
  return info.higherIsBetter ? candidate > best : candidate < best
}
