/**
 * Will a fine-tuning run fit in the device's memory? A pure estimate from a Hugging Face config.json, the
 * backbone dtype, LoRA or full tuning, batch size, max_length, gradient checkpointing and the optimizer;
 * compared with the device's memory, with the changes that would make it fit.
 *
 * The parts (bytes):
 *   weights      parameters × dtype size (float32 4, float16/bfloat16 2, int8 1, int4 ½)
 *   gradients    trainable parameters × 4 (float32)
 *   optimizer    trainable parameters × state bytes (AdamW/Adam/Adadelta 8, RMSprop 4, SGD 0, AdamW8bit 2)
 *   activations  per layer, Korthikanti et al. 2022 ("Reducing Activation Recomputation", eq. 2):
 *                s·b·h·(34 + 5·a·s/h) bytes with 16-bit activations, × computeBytes/2 (the engine computes in
 *                float32: × 2). Gradient checkpointing keeps only each layer's input (s·b·h·computeBytes)
 *                plus one layer's full activations while it is recomputed.
 *   logits       b·s·V·computeBytes × 2 (the logits and their gradient)
 *   overhead     10 % of the sum: allocator slack, workspace, the framework itself.
 * Parameter counts follow the modelling code of each family exactly (biases, tied embeddings, GQA), so they
 * equal `model.num_parameters()` (GPT-2 small 124 439 808; Pythia-70m 70 426 624; TinyLlama-1.1B 1 100 048 384).
 */
import { UserError } from './user-error'

export type BackboneDtype = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int4'
export type OptimizerName = 'AdamW' | 'Adam' | 'SGD' | 'RMSprop' | 'Adadelta' | 'AdamW8bit'

export interface MemoryFitInput {
  config: Record<string, unknown>
  dtype: BackboneDtype
  lora: boolean
  loraR?: number
  /** Comma list of module names (q_proj,v_proj); empty = every linear layer, as the Config defines it. */
  loraTargetModules?: string
  batchSize: number
  maxLength: number
  gradientCheckpointing: boolean
  optimizer?: OptimizerName
  /** Bytes the device can give; omit for the estimate alone. */
  deviceBytes?: number
}

export interface MemoryBreakdown {
  weights: number
  gradients: number
  optimizer: number
  activations: number
  logits: number
  overhead: number
}

export type FitChange =
  | { change: 'gradientCheckpointing'; to: true }
  | { change: 'lora'; to: true }
  | { change: 'dtype'; to: BackboneDtype }
  | { change: 'optimizer'; to: OptimizerName }
  | { change: 'batchSize'; to: number }
  | { change: 'maxLength'; to: number }

export interface MemoryFitEstimate {
  parameters: number
  trainableParameters: number
  breakdown: MemoryBreakdown
  total: number
  deviceBytes: number | null
  fits: boolean | null
  /** Single changes that lower the estimate, biggest saving first, each with its new total. */
  suggestions: (FitChange & { total: number; fits: boolean | null })[]
}

const dtypeBytes: Record<BackboneDtype, number> = { float32: 4, float16: 2, bfloat16: 2, int8: 1, int4: 0.5 }
const optimizerBytes: Record<OptimizerName, number> = { AdamW: 8, Adam: 8, Adadelta: 8, RMSprop: 4, SGD: 0, AdamW8bit: 2 }
const COMPUTE_BYTES = 4

function num(config: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const name of names) if (typeof config[name] === 'number') return config[name]
  return undefined
}

export interface ModelShape {
  family: 'gpt2' | 'gpt_neox' | 'llama' | 'qwen2'
  vocab: number
  hidden: number
  layers: number
  heads: number
  kvHeads: number
  intermediate: number
  positions: number
  tied: boolean
}

export function modelShape(config: Record<string, unknown>): ModelShape {
  const type = String(config.model_type ?? '')
  const family = type === 'gpt2' ? 'gpt2' : type === 'gpt_neox' ? 'gpt_neox' : type === 'qwen2' ? 'qwen2' : type === 'llama' || type === 'mistral' ? 'llama' : undefined
  if (!family) throw new UserError(`config.json model_type "${type}" is not a family this estimate knows (gpt2, gpt_neox, llama, mistral, qwen2).`, 'memoryUnknownFamily', { modelType: String(type) })
  const hidden = num(config, 'hidden_size', 'n_embd')
  const layers = num(config, 'num_hidden_layers', 'n_layer')
  const heads = num(config, 'num_attention_heads', 'n_head')
  const vocab = num(config, 'vocab_size')
  if (!hidden || !layers || !heads || !vocab) throw new UserError('config.json lacks hidden_size, num_hidden_layers, num_attention_heads or vocab_size.', 'memoryConfigIncomplete')
  return {
    family,
    vocab,
    hidden,
    layers,
    heads,
    kvHeads: num(config, 'num_key_value_heads') ?? heads,
    intermediate: num(config, 'intermediate_size', 'n_inner') ?? 4 * hidden,
    positions: num(config, 'n_positions', 'max_position_embeddings') ?? 0,
    // GPT-2 ties by default; Llama/Qwen2/NeoX configs say so explicitly (NeoX never ties).
    tied: family === 'gpt_neox' ? false : ((config.tie_word_embeddings as boolean | undefined) ?? family === 'gpt2'),
  }
}

/** Each layer's linear modules by their Hugging Face names, as [in, out, hasBias]. */
function linears(s: ModelShape): Record<string, [number, number, boolean]> {
  const kv = (s.hidden / s.heads) * s.kvHeads
  if (s.family === 'gpt2') return { c_attn: [s.hidden, 3 * s.hidden, true], 'attn.c_proj': [s.hidden, s.hidden, true], c_fc: [s.hidden, s.intermediate, true], 'mlp.c_proj': [s.intermediate, s.hidden, true] }
  if (s.family === 'gpt_neox')
    return { query_key_value: [s.hidden, 3 * s.hidden, true], dense: [s.hidden, s.hidden, true], dense_h_to_4h: [s.hidden, s.intermediate, true], dense_4h_to_h: [s.intermediate, s.hidden, true] }
  const qkvBias = s.family === 'qwen2'
  return {
    q_proj: [s.hidden, s.hidden, qkvBias],
    k_proj: [s.hidden, kv, qkvBias],
    v_proj: [s.hidden, kv, qkvBias],
    o_proj: [s.hidden, s.hidden, false],
    gate_proj: [s.hidden, s.intermediate, false],
    up_proj: [s.hidden, s.intermediate, false],
    down_proj: [s.intermediate, s.hidden, false],
  }
}

export function parameterCount(s: ModelShape): number {
  const perLayerLinear = Object.values(linears(s)).reduce((n, [i, o, bias]) => n + i * o + (bias ? o : 0), 0)
  // LayerNorm has weight + bias (GPT-2, NeoX); RMSNorm only a weight (Llama, Qwen2).
  const normSize = s.family === 'gpt2' || s.family === 'gpt_neox' ? 2 * s.hidden : s.hidden
  const perLayer = perLayerLinear + 2 * normSize
  const embeddings = s.vocab * s.hidden + (s.family === 'gpt2' ? s.positions * s.hidden : 0)
  const head = s.tied ? 0 : s.vocab * s.hidden
  return embeddings + s.layers * perLayer + normSize + head
}

export function loraParameterCount(s: ModelShape, r: number, targets = ''): number {
  const wanted = targets.split(',').map((t) => t.trim()).filter(Boolean)
  const modules = Object.entries(linears(s)).filter(([name]) => wanted.length === 0 || wanted.some((w) => name === w || name.endsWith(`.${w}`)))
  return s.layers * modules.reduce((n, [, [i, o]]) => n + r * (i + o), 0)
}

/** The estimate for exactly these settings, without suggestions. */
export function estimateOnce(input: MemoryFitInput): Omit<MemoryFitEstimate, 'suggestions'> {
  const s = modelShape(input.config)
  const parameters = parameterCount(s)
  const trainable = input.lora ? loraParameterCount(s, input.loraR ?? 4, input.loraTargetModules) : parameters
  const b = input.batchSize
  const L = input.maxLength
  const fullLayer = ((L * b * s.hidden * (34 + (5 * s.heads * L) / s.hidden)) * COMPUTE_BYTES) / 2
  const activations = input.gradientCheckpointing ? s.layers * L * b * s.hidden * COMPUTE_BYTES + fullLayer : s.layers * fullLayer
  const breakdown: Omit<MemoryBreakdown, 'overhead'> = {
    weights: parameters * dtypeBytes[input.dtype] + (input.lora ? trainable * 4 : 0),
    gradients: trainable * 4,
    optimizer: trainable * optimizerBytes[input.optimizer ?? 'AdamW'],
    activations,
    logits: b * L * s.vocab * COMPUTE_BYTES * 2,
  }
  const sum = Object.values(breakdown).reduce((n, v) => n + v, 0)
  const full = { ...breakdown, overhead: 0.1 * sum }
  const total = sum + full.overhead
  const deviceBytes = input.deviceBytes ?? null
  return { parameters, trainableParameters: trainable, breakdown: full, total, deviceBytes, fits: deviceBytes === null ? null : total <= deviceBytes }
}

export function estimateMemory(input: MemoryFitInput): MemoryFitEstimate {
  const base = estimateOnce(input)
  const changes: FitChange[] = []
  if (!input.gradientCheckpointing) changes.push({ change: 'gradientCheckpointing', to: true })
  if (!input.lora) changes.push({ change: 'lora', to: true })
  if (input.dtype === 'float32') changes.push({ change: 'dtype', to: 'bfloat16' })
  if (!input.lora && (input.optimizer ?? 'AdamW') === 'AdamW') changes.push({ change: 'optimizer', to: 'AdamW8bit' })
  if (input.batchSize > 1) changes.push({ change: 'batchSize', to: Math.max(1, Math.floor(input.batchSize / 2)) })
  if (input.maxLength > 64) changes.push({ change: 'maxLength', to: Math.floor(input.maxLength / 2) })
  const suggestions = changes
    .map((c) => {
      const next: MemoryFitInput = { ...input, [c.change]: c.to }
      const { total, fits } = estimateOnce(next)
      return { ...c, total, fits }
    })
    .filter((sug) => sug.total < base.total)
    .sort((x, y) => x.total - y.total)
  return { ...base, suggestions }
}

/**
 * Memory to answer with a model in the engine (float32): the backbone's parameters and a LoRA adapter's,
 * the key/value cache for `tokens` positions (2·layers·tokens·kvHeads·headDim), one step's logits, + 10 %.
 */
export function estimateInferenceBytes(shape: ModelShape, tokens: number, adapterParameters = 0): number {
  const kvCache = 2 * shape.layers * tokens * shape.kvHeads * (shape.hidden / shape.heads) * 4
  const logits = shape.vocab * 4
  return 1.1 * ((parameterCount(shape) + adapterParameters) * 4 + kvCache + logits)
}
