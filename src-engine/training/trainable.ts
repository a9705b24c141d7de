/**
 * What the trainer trains, injected through the model's linear factory (models/linear.ts):
 *
 * LoRA, as PEFT: every targeted module becomes y = base(x) + scale·(dropout(x)·Aᵀ)·Bᵀ with A [r, in]
 * Kaiming-uniform (a = √5, i.e. U(−1/√in, 1/√in)) and B zeros, scale lora_alpha/r (or /√r with
 * use_rslora). Targets: lora_target_modules is a comma list matched against the end of module names
 * (PEFT's rule: the name equals the target or ends with "." + target); empty = every linear layer except
 * the output head (H2O skips modules with "head" in their name). Held transposed (Aᵀ [in, r], Bᵀ [r, out])
 * like LoraLinear; the base weights stay plain tensors (frozen).
 *
 * Full fine-tuning: every linear layer's weight and bias become variables, except modules whose name
 * contains one of freeze_layers, and except a head tied to the embeddings (training the copy would untie
 * it). Departure: embeddings and norms are not trained (the model families hold them as constants).
 *
 * Dropout draws from a seed set per micro-batch (setStepSeed), so a run is repeatable and resumable.
 */
import * as tf from '@tensorflow/tfjs'
import { loraScale } from '../lora/peft-adapter'
import { DenseLinear, denseLinear, matmulLastAxis, type Linear, type LinearFactory, type LinearWeights } from '../models/linear'
import { seededRng } from '../generation/rng'
import type { EmbeddingFactory } from '../models/load-weights'

export interface LoraSettings {
  r: number
  alpha: number
  useRslora: boolean
  dropout: number
  /** Module-name suffixes; empty = every linear but the head. */
  targets: string[]
  /** lora_unfreeze_layers: linear modules (by name substring) trained in full next to the LoRA factors. */
  unfreeze?: string[]
}

export function parseTargetModules(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

export function isLoraTarget(module: string, targets: readonly string[]): boolean {
  if (targets.length === 0) return !/(^|\.)[^.]*head[^.]*$/.test(module)
  return targets.some((t) => module === t || module.endsWith(`.${t}`))
}

/** Shared dropout state of a model's LoRA layers: on while training, with a seed per micro-batch. */
export class DropoutControl {
  training = false
  private seed = 0
  private counter = 0
  setStepSeed(seed: number): void {
    this.seed = seed
    this.counter = 0
  }
  /** Where this step's sequence of dropout seeds stands (gradient checkpointing replays a layer from here). */
  get position(): number {
    return this.counter
  }
  set position(value: number) {
    this.counter = value
  }
  /** A fresh deterministic seed for the next dropout call of this step. */
  next(): number {
    this.counter += 1
    return (this.seed * 31 + this.counter * 2654435761) % 2147483647
  }
}

export class TrainableLoraLinear implements Linear {
  readonly name: string
  readonly inFeatures: number
  readonly outFeatures: number

  constructor(
    readonly base: Linear,
    /** [in, r] */
    readonly aT: tf.Variable,
    /** [r, out] */
    readonly bT: tf.Variable,
    readonly scale: number,
    readonly rank: number,
    private readonly dropout: number,
    private readonly control: DropoutControl,
  ) {
    this.name = base.name
    this.inFeatures = base.inFeatures
    this.outFeatures = base.outFeatures
  }

  apply(x: tf.Tensor): tf.Tensor {
    const dropped = this.control.training && this.dropout > 0 ? tf.dropout(x, this.dropout, undefined, this.control.next()) : x
    const delta = matmulLastAxis(matmulLastAxis(dropped, this.aT as tf.Tensor2D), this.bT as tf.Tensor2D) // [..., r] → [..., out]
    return this.base.apply(x).add(delta.mul(this.scale))
  }

  dispose(): void {
    this.base.dispose()
    this.aT.dispose()
    this.bT.dispose()
  }
}

export interface TrainableSet {
  factory: LinearFactory
  /** architecture.force_embedding_gradients: embedding tables become variables (set by trainEmbeddings). */
  embeddingFactory?: EmbeddingFactory
  /** Trainable variables, by their name without the run prefix. */
  variables: Map<string, tf.Variable>
  loraModules: TrainableLoraLinear[]
  dropout: DropoutControl
  /** The prefix that makes this run's variable names unique in the process. */
  prefix: string
}

let runs = 0

/** The factory for LoRA training; `seed` draws A. */
export function loraTrainable(settings: LoraSettings, seed: number): TrainableSet {
  const prefix = `run${++runs}:`
  const variables = new Map<string, tf.Variable>()
  const loraModules: TrainableLoraLinear[] = []
  const dropout = new DropoutControl()
  const rng = seededRng(seed ^ 0x5eed)
  const scale = loraScale(settings.alpha, settings.r, settings.useRslora)
  const factory: LinearFactory = (weights: LinearWeights) => {
    if (!isLoraTarget(weights.name, settings.targets)) {
      const unfrozen = (settings.unfreeze ?? []).some((layer) => layer !== '' && weights.name.includes(layer))
      return unfrozen ? trainableDense(weights, prefix, variables) : denseLinear(weights)
    }
    const base = denseLinear(weights)
    const { inFeatures: inF, outFeatures: outF } = base
    const bound = 1 / Math.sqrt(inF)
    // A [r, in] drawn in PEFT's row-major order, then held transposed [in, r]
    const a = Float32Array.from({ length: settings.r * inF }, () => (rng() * 2 - 1) * bound)
    const aName = `${weights.name}.lora_A.weight`
    const bName = `${weights.name}.lora_B.weight`
    const aInit = tf.tidy(() => tf.tensor2d(a, [settings.r, inF]).transpose())
    const bInit = tf.zeros([settings.r, outF])
    const aT = tf.variable(aInit, true, prefix + aName)
    const bT = tf.variable(bInit, true, prefix + bName)
    tf.dispose([aInit, bInit])
    variables.set(aName, aT)
    variables.set(bName, bT)
    const linear = new TrainableLoraLinear(base, aT, bT, scale, settings.r, settings.dropout, dropout)
    loraModules.push(linear)
    return linear
  }
  return { factory, variables, loraModules, dropout, prefix }
}

/** A dense linear whose weight and bias are trainable variables (registered under their module names). */
function trainableDense(weights: LinearWeights, prefix: string, variables: Map<string, tf.Variable>): Linear {
  const weight = tf.variable(weights.weight, true, `${prefix}${weights.name}.weight`)
  variables.set(`${weights.name}.weight`, weight)
  let bias: tf.Variable | null = null
  if (weights.bias) {
    bias = tf.variable(weights.bias, true, `${prefix}${weights.name}.bias`)
    variables.set(`${weights.name}.bias`, bias)
    weights.bias.dispose()
  }
  weights.weight.dispose()
  return new DenseLinear({ name: weights.name, weight: weight as tf.Tensor2D, bias: bias as tf.Tensor1D | null })
}

/** The factory for full fine-tuning: linear weights and biases become variables unless frozen. */
export function fullTrainable(freezeLayers: readonly string[], tiedHead: boolean): TrainableSet {
  const prefix = `run${++runs}:`
  const variables = new Map<string, tf.Variable>()
  const factory: LinearFactory = (weights: LinearWeights) => {
    const frozen = freezeLayers.some((layer) => layer !== '' && weights.name.includes(layer)) || (tiedHead && weights.name === 'lm_head')
    return frozen ? denseLinear(weights) : trainableDense(weights, prefix, variables)
  }
  return { factory, variables, loraModules: [], dropout: new DropoutControl(), prefix }
}

/**
 * architecture.force_embedding_gradients, as H2O LLM Studio does it: every nn.Embedding of the backbone
 * (token embeddings, and GPT-2's learned positions) is trained too, registered under its checkpoint name
 * (e.g. transformer.wte.weight). A head tied to the token embedding keeps using the same matrix.
 */
export function trainEmbeddings(set: TrainableSet): TrainableSet {
  const embeddingFactory: EmbeddingFactory = (name, table) => {
    const v = tf.variable(table, true, `${set.prefix}${name}`)
    set.variables.set(name, v)
    table.dispose()
    return v as tf.Tensor2D
  }
  return { ...set, embeddingFactory }
}

/** Names of embedding tables among trained tensors (they are stored as they are held, [rows, C]). */
export function isEmbeddingParameter(name: string): boolean {
  return /(^|\.)(wte|wpe|embed_tokens|embed_in)\.weight$/.test(name)
}
