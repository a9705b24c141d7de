/** What every model family offers: a causal LM forward pass over token ids, with an optional KV cache. */
import type * as tf from '@tensorflow/tfjs'
import type { KVCache } from './kv-cache'
import type { Linear } from './linear'

export interface ForwardOptions {
  /** [B][T] position of each new token; default pastLength + t. Left-padded batches pass cumsum(mask) − 1. */
  positions?: number[][]
  /** [B][S] over cached + new positions: 1 = a real token, 0 = padding. Default: all real. */
  attentionMask?: number[][]
  /** Keys/values of earlier positions; this call appends its own. */
  cache?: KVCache
  /** Applied to the token embeddings [B,T,C] (the input embedding module's output), e.g. NEFTune noise. */
  inputEmbeddingsHook?: (embeddings: tf.Tensor) => tf.Tensor
  /** Applied to each attention and MLP output before it joins the residual stream (training dropout). */
  residualHook?: (sublayerOutput: tf.Tensor) => tf.Tensor
  /** Gradient checkpointing (training only): runs each transformer layer so the backward pass recomputes it. */
  layerCheckpointer?: LayerCheckpointer
}

export interface LayerCheckpointer {
  /** Tensors the layers read besides their input (mask, rotary tables): the backward pass reads them again. */
  retain(tensors: readonly tf.Tensor[]): void
  /** Runs layer `layer` (residual stream in → out) through `run`. */
  layer(x: tf.Tensor, layer: number, run: (x: tf.Tensor) => tf.Tensor): tf.Tensor
}

/** Passes the residual stream through every layer; `shared` are the tensors every layer reads besides x. */
export function runLayers(layers: number, x: tf.Tensor, options: ForwardOptions, shared: readonly (tf.Tensor | null)[], run: (x: tf.Tensor, layer: number) => tf.Tensor): tf.Tensor {
  const checkpointer = options.layerCheckpointer
  if (checkpointer) checkpointer.retain(shared.filter((t): t is tf.Tensor => t !== null))
  for (let i = 0; i < layers; i++) x = checkpointer ? checkpointer.layer(x, i, (h) => run(h, i)) : run(x, i)
  return x
}

export interface ModelSummary {
  family: string
  modelType: string
  vocabSize: number
  layers: number
  hidden: number
  /** Largest position the model was trained for (learned position tables cannot go beyond it). */
  maxPositions: number
  /** true when position embeddings are a learned table (GPT-2): positions ≥ maxPositions are an error. */
  learnedPositions: boolean
}

export interface CausalLM {
  readonly summary: ModelSummary
  /** Every injected linear layer by module name (for LoRA, inspection). */
  readonly linears: ReadonlyMap<string, Linear>
  /** ids [B,T] int32 → logits [B,T,V]. Call inside tf.tidy. */
  forward(ids: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D
  newCache(): KVCache
  dispose(): void
}

/** Default positions: pastLength, pastLength + 1, … for every row. */
export function defaultPositions(B: number, T: number, pastLength: number): number[][] {
  return Array.from({ length: B }, () => Array.from({ length: T }, (_, t) => pastLength + t))
}

export function collectLinears(list: Linear[]): Map<string, Linear> {
  return new Map(list.map((l) => [l.name, l]))
}
