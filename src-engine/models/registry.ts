/**
 * model_type → model family, and loading a model folder (config.json, generation_config.json, weights,
 * optionally a PEFT LoRA adapter) into a CausalLM.
 */
import path from 'node:path'
import { loadPeftAdapter, type PeftAdapter } from '../lora/peft-adapter'
import { openModelWeights } from '../weights'
import type { CausalLM } from './causal-lm'
import { readGenerationDefaults, readModelConfig, type GenerationDefaults, type RawConfig } from './config'
import { Gpt2, parseGpt2Config } from './gpt2'
import { GptNeox, parseGptNeoxConfig } from './gpt-neox'
import { denseLinear, type LinearFactory } from './linear'
import { Llama, parseLlamaConfig } from './llama'
import { WeightLoader, type EmbeddingFactory } from './load-weights'
import { UserError } from '../../src-shared/user-error'

interface Family {
  name: string
  architectures: string[]
  build: (raw: RawConfig, weights: WeightLoader) => CausalLM
}

const gpt2: Family = { name: 'gpt2', architectures: ['GPT2LMHeadModel'], build: (raw, w) => new Gpt2(parseGpt2Config(raw), w) }
const gptNeox: Family = { name: 'gpt-neox', architectures: ['GPTNeoXForCausalLM'], build: (raw, w) => new GptNeox(parseGptNeoxConfig(raw), w) }
const llama = (architecture: string): Family => ({ name: 'llama', architectures: [architecture], build: (raw, w) => new Llama(parseLlamaConfig(raw), w) })

/** config.json model_type → family. */
export const modelFamilies: Readonly<Record<string, Family>> = {
  gpt2,
  gpt_neox: gptNeox,
  llama: llama('LlamaForCausalLM'),
  mistral: llama('MistralForCausalLM'),
  qwen2: llama('Qwen2ForCausalLM'),
}

export const supportedModelTypes = Object.keys(modelFamilies)

export function familyOf(raw: RawConfig, where: string): Family {
  const modelType = typeof raw.model_type === 'string' ? raw.model_type : undefined
  const architectures = Array.isArray(raw.architectures) ? raw.architectures.map(String) : []
  const byType = modelType ? modelFamilies[modelType] : undefined
  const byArchitecture = Object.entries(modelFamilies).find(([, f]) => f.architectures.some((a) => architectures.includes(a)))
  const family = byType ?? (modelType ? undefined : byArchitecture?.[1])
  if (family) {
    if (!raw.model_type && byArchitecture) raw.model_type = byArchitecture[0]
    return family
  }
  const name = [modelType && `model_type "${modelType}"`, architectures.length > 0 && `architectures ${architectures.join(', ')}`].filter(Boolean).join(', ') || 'no model_type'
  const supported = Object.entries(modelFamilies).map(([type, f]) => `${type} (${f.architectures.join(', ')})`).join(', ')
  throw new UserError(`Unsupported architecture in ${where}: ${name}. Supported model types: ${supported}.`, 'unsupportedArchitecture', { architecture: String(name), supported })
}

export interface LoadOptions {
  /** A PEFT LoRA adapter folder to apply on top of the base weights. */
  adapterDir?: string
  /** The Linear to build for every projection (default: DenseLinear). An adapter wraps it. */
  makeLinear?: LinearFactory
  /** What embedding tables become (force_embedding_gradients makes them variables). Default: constants. */
  makeEmbedding?: EmbeddingFactory
  /** What loading the weights did that a user should know (e.g. PyTorch .bin converted to safetensors). */
  onNote?: (note: string) => void
}

export interface LoadedModel {
  dir: string
  model: CausalLM
  config: RawConfig
  generation: GenerationDefaults
  /** Tensors in the checkpoint the model did not use (buffers we skip are not listed). */
  unusedTensors: string[]
  adapter: PeftAdapter | null
}

export function loadModel(dir: string, options: LoadOptions = {}): LoadedModel {
  const config = readModelConfig(dir)
  const family = familyOf(config, path.join(dir, 'config.json'))
  const adapter = options.adapterDir ? loadPeftAdapter(options.adapterDir) : null
  const base = options.makeLinear ?? denseLinear
  const makeLinear = adapter ? adapter.wrap(base) : base
  const weights = new WeightLoader(openModelWeights(dir, options.onNote ? { onNote: options.onNote } : {}), dir, makeLinear, options.makeEmbedding)
  let model: CausalLM
  try {
    model = family.build(config, weights)
  } catch (error) {
    weights.disposeCreated() // a half-built model must not leak what it loaded
    throw error
  }
  if (adapter) {
    const unmatched = adapter.unmatched()
    if (unmatched.length > 0) {
      model.dispose()
      throw new UserError(
        `The adapter in ${adapter.dir} targets modules this ${String(config.model_type)} model does not have: ${unmatched.slice(0, 5).join(', ')}${unmatched.length > 5 ? ', …' : ''}. Was it trained on another base model?`,
        'adapterMismatch',
        { modelType: String(config.model_type), modules: unmatched.slice(0, 5).join(', ') },
      )
    }
  }
  return { dir, model, config, generation: readGenerationDefaults(dir, config), unusedTensors: weights.unused(), adapter }
}
