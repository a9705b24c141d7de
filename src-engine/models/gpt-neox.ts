/**
 * GPT-NeoX (transformers' GPTNeoXForCausalLM: Pythia, GPT-NeoX-20B). Pre-norm blocks with rotary attention
 * on part of each head, an MLP, a final LayerNorm and an untied output head (embed_out).
 *
 * Departures from / notes on the reference:
 * - query_key_value is one fused [3C, C] nn.Linear whose output is interleaved PER HEAD: viewed as
 *   [B,T,H,3D], each head holds its q (first D), k (next D) and v (last D). It is not [Q;K;V] blocks.
 * - Rotary (rotate_half, base rotary_emb_base) acts on the first R = int(D · rotary_pct) dims of q and k only.
 * - use_parallel_residual: x + attn(ln1(x)) + mlp(ln2(x)); otherwise h = x + attn(ln1(x)); h + mlp(ln2(h)).
 * - The attention.bias / masked_bias / rotary_emb.inv_freq buffers are skipped (recomputed here).
 *
 * Dimension letters: B batch, T new positions, S key positions, C hidden_size, H heads, D C/H,
 * R rotary dims, F intermediate_size, V vocab.
 */
import * as tf from '@tensorflow/tfjs'
import type { CausalLM, ForwardOptions, ModelSummary } from './causal-lm'
import { collectLinears, defaultPositions, runLayers } from './causal-lm'
import { ConfigReader, type RawConfig } from './config'
import { activation, applyRotary, attention, attentionBias, layerNorm, mergeHeads, ropeSpec, rotaryAngles, type RopeSpec } from './layers'
import { freshKV, KVCache } from './kv-cache'
import type { Linear } from './linear'
import type { WeightLoader } from './load-weights'

export interface GptNeoxConfig {
  vocabSize: number
  hidden: number
  layers: number
  heads: number
  intermediate: number
  rotaryDims: number
  rope: RopeSpec
  eps: number
  activation: string
  parallelResidual: boolean
  attentionBias: boolean
  tieWordEmbeddings: boolean
  maxPositions: number
}

export function parseGptNeoxConfig(raw: RawConfig): GptNeoxConfig {
  const where = 'config.json (gpt_neox)'
  const c = new ConfigReader(raw, where)
  const hidden = c.number('hidden_size')
  const heads = c.number('num_attention_heads')
  const rotaryDims = Math.trunc((hidden / heads) * c.number('rotary_pct', 0.25))
  return {
    vocabSize: c.number('vocab_size'),
    hidden,
    layers: c.number('num_hidden_layers'),
    heads,
    intermediate: c.number('intermediate_size'),
    rotaryDims,
    rope: ropeSpec(rotaryDims, c.number('rotary_emb_base', 10000), c.object('rope_scaling'), where),
    eps: c.number('layer_norm_eps', 1e-5),
    activation: c.string('hidden_act', 'gelu'),
    parallelResidual: c.boolean('use_parallel_residual', true),
    attentionBias: c.boolean('attention_bias', true),
    tieWordEmbeddings: c.boolean('tie_word_embeddings', false),
    maxPositions: c.number('max_position_embeddings', 2048),
  }
}

interface Norm {
  weight: tf.Tensor1D
  bias: tf.Tensor1D
}

interface Layer {
  inputNorm: Norm
  qkv: Linear // [C, 3C], per-head interleaved output
  dense: Linear // [C, C]
  postAttentionNorm: Norm
  up: Linear // dense_h_to_4h [C, F]
  down: Linear // dense_4h_to_h [F, C]
}

export class GptNeox implements CausalLM {
  readonly summary: ModelSummary
  readonly linears: ReadonlyMap<string, Linear>
  private readonly embedIn: tf.Tensor2D // [V, C]
  private readonly layers: Layer[]
  private readonly finalNorm: Norm
  private readonly head: Linear // [C, V]
  private readonly act: (x: tf.Tensor) => tf.Tensor

  constructor(
    readonly config: GptNeoxConfig,
    w: WeightLoader,
  ) {
    const { vocabSize: V, hidden: C, intermediate: F } = config
    if (C % config.heads !== 0) throw new Error(`config.json (gpt_neox): hidden_size ${C} is not divisible by num_attention_heads ${config.heads}.`)
    this.act = activation(config.activation)
    const norm = (name: string): Norm => ({ weight: w.take1d(`${name}.weight`, C), bias: w.take1d(`${name}.bias`, C) })
    this.embedIn = w.embedding('gpt_neox.embed_in.weight', V, C)
    this.layers = Array.from({ length: config.layers }, (_, i) => {
      const p = `gpt_neox.layers.${i}`
      return {
        inputNorm: norm(`${p}.input_layernorm`),
        qkv: w.linear(`${p}.attention.query_key_value`, C, 3 * C, config.attentionBias),
        dense: w.linear(`${p}.attention.dense`, C, C, config.attentionBias),
        postAttentionNorm: norm(`${p}.post_attention_layernorm`),
        up: w.linear(`${p}.mlp.dense_h_to_4h`, C, F, true),
        down: w.linear(`${p}.mlp.dense_4h_to_h`, F, C, true),
      }
    })
    this.finalNorm = norm('gpt_neox.final_layer_norm')
    this.head = !config.tieWordEmbeddings && w.has('embed_out.weight') ? w.linear('embed_out', C, V, false) : w.tiedHead('embed_out', this.embedIn)
    this.linears = collectLinears([...this.layers.flatMap((l) => [l.qkv, l.dense, l.up, l.down]), this.head])
    this.summary = { family: 'gpt-neox', modelType: 'gpt_neox', vocabSize: this.head.outFeatures, layers: config.layers, hidden: C, maxPositions: config.maxPositions, learnedPositions: false }
  }

  newCache(): KVCache {
    return new KVCache(this.config.layers)
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const { heads: H, hidden: C, eps } = this.config
    const D = C / H
    const [B, T] = ids.shape
    const past = options.cache?.length ?? 0
    const bias = attentionBias(T, past + T, options.attentionMask, B)
    const { cos, sin } = rotaryAngles(this.config.rope, options.positions ?? defaultPositions(B, T, past)) // [B,1,T,R/2]

    const residual = options.residualHook ?? ((t: tf.Tensor) => t)
    let x: tf.Tensor = tf.gather(this.embedIn, ids) // [B,T,C]
    if (options.inputEmbeddingsHook) x = options.inputEmbeddingsHook(x)
    x = runLayers(this.layers.length, x, options, [bias, cos, sin], (x, i) => {
      const layer = this.layers[i]!
      // attention: fused qkv viewed per head as [B,T,H,3D] → q, k, v [B,H,T,D]
      const qkv = layer.qkv.apply(layerNorm(x, layer.inputNorm.weight, layer.inputNorm.bias, eps)).reshape([B, T, H, 3 * D])
      const [q, k, v] = tf.split(qkv, 3, 3).map((t) => t.transpose([0, 2, 1, 3])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
      const qr = applyRotary(q, cos, sin) // rotates the first R dims, passes the rest
      const kr = applyRotary(k, cos, sin)
      const kv = options.cache ? options.cache.append(i, kr, v) : freshKV(kr, v) // keys, values over S
      const attn = residual(layer.dense.apply(mergeHeads(attention(qr, kv, bias, 1 / Math.sqrt(D))))) // [B,T,C]
      const mlp = (h: tf.Tensor) => residual(layer.down.apply(this.act(layer.up.apply(layerNorm(h, layer.postAttentionNorm.weight, layer.postAttentionNorm.bias, eps)))))
      if (this.config.parallelResidual) return x.add(attn).add(mlp(x))
      const h = x.add(attn)
      return h.add(mlp(h))
    })
    x = layerNorm(x, this.finalNorm.weight, this.finalNorm.bias, eps)
    return this.head.apply(x) as tf.Tensor3D // [B,T,V]
  }

  dispose(): void {
    this.embedIn.dispose()
    for (const l of this.layers) for (const t of [l.inputNorm.weight, l.inputNorm.bias, l.postAttentionNorm.weight, l.postAttentionNorm.bias]) t.dispose()
    this.finalNorm.weight.dispose()
    this.finalNorm.bias.dispose()
    for (const l of this.linears.values()) l.dispose()
  }
}
