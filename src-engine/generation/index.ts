/** Generation on a loaded model: prompts in, new tokens (and text) out. */
import type { CausalLM } from '../models/causal-lm'
import type { GenerationDefaults } from '../models/config'
import { generate, generateStream, type FinishReason, type GenerateOptions, type GenerateResult, type GenerateStep } from './generate'
import { leftPad, ModelStepper } from './stepper'

export { generate, generateStream, beamSearch } from './generate'
export type { FinishReason, GenerateOptions, GenerateResult, GenerateStep } from './generate'
export { ModelStepper, leftPad, positionsFromMask, type LogitsStepper } from './stepper'

export type ModelGenerateOptions = Omit<GenerateOptions, 'promptIds'> & { useCache?: boolean }

/** EOS and pad ids from generation_config.json unless the options say otherwise. */
export function withDefaults(options: ModelGenerateOptions, defaults: GenerationDefaults): ModelGenerateOptions {
  return {
    ...options,
    eosTokenIds: options.eosTokenIds ?? defaults.eosTokenIds,
    padTokenId: options.padTokenId ?? defaults.padTokenId ?? defaults.eosTokenIds[0] ?? 0,
  }
}

function checkLength(model: CausalLM, prompts: readonly (readonly number[])[], maxNewTokens: number): void {
  const longest = Math.max(...prompts.map((p) => p.length))
  if (model.summary.learnedPositions && longest + maxNewTokens > model.summary.maxPositions) {
    throw new Error(`The prompt (${longest} tokens) plus max_new_tokens (${maxNewTokens}) exceeds this model's ${model.summary.maxPositions} positions.`)
  }
}

/** Greedy, sampling or beam search for a batch of prompts (left-padded together). */
export async function generateIds(model: CausalLM, prompts: readonly (readonly number[])[], options: ModelGenerateOptions): Promise<GenerateResult> {
  checkLength(model, prompts, options.maxNewTokens)
  const beams = options.numBeams ?? 1
  const rows = prompts.flatMap((p) => Array.from({ length: beams }, () => p))
  const padTokenId = options.padTokenId ?? 0
  const stepper = new ModelStepper(model, rows, { padTokenId, useCache: options.useCache ?? true })
  try {
    return await generate(stepper, { ...options, promptIds: leftPad(rows, padTokenId).ids })
  } finally {
    stepper.dispose()
  }
}

/** Greedy or sampling, streaming one event per step. */
export async function* streamIds(model: CausalLM, prompts: readonly (readonly number[])[], options: ModelGenerateOptions): AsyncGenerator<GenerateStep, FinishReason[]> {
  checkLength(model, prompts, options.maxNewTokens)
  const padTokenId = options.padTokenId ?? 0
  const stepper = new ModelStepper(model, prompts, { padTokenId, useCache: options.useCache ?? true })
  try {
    return yield* generateStream(stepper, { ...options, promptIds: leftPad(prompts, padTokenId).ids })
  } finally {
    stepper.dispose()
  }
}
