/**
 * Llama (transformers' LlamaForCausalLM), which also serves Mistral and Qwen2 (and SmolLM, which is
 * Llama-shaped): RMSNorm pre-norm blocks, rotary attention with grouped-query heads, a SwiGLU MLP, a final
 * RMSNorm, and lm_head (or the token embedding when tie_word_embeddings).
 *
 * Departures from / notes on the reference:
 * - RoPE is rotate_half (the two halves of a head, not interleaved pairs), base rope_theta, with rope_scaling
 *   "linear" (positions ÷ factor) or "llama3" (per-frequency bands) when the config asks for it.
 * - GQA as repeat_kv: key/value head j serves query heads j·n … j·n+n−1 (n = H/K).
 * - Qwen2 has biases on q/k/v (not o); Llama has them when attention_bias; mlp_bias likewise.
 * - Mistral's sliding_window masks keys more than `window` positions back; Qwen2's use_sliding_window
 *   (off in released configs) is not implemented and is reported as an error.
 * - rotary_emb.inv_freq buffers in old checkpoints are skipped (recomputed).
 *
 * Dimension letters: B batch, T new positions, S key positions, C hidden_size, H query heads,
 * K key/value heads, D head_dim, F intermediate_size, V vocab.
 */
import * as tf from '@tensorflow/tfjs'
import type { CausalLM, ForwardOptions, ModelSummary } from './causal-lm'
import { collectLinears, defaultPositions, runLayers } from './causal-lm'
import { ConfigReader, type RawConfig } from './config'
import { activation, applyRotary, attention, attentionBias, mergeHeads, rmsNorm, ropeSpec, rotaryAngles, splitHeads, type RopeSpec } from './layers'
import { freshKV, KVCache } from './kv-cache'
import type { Linear } from './linear'
import type { WeightLoader } from './load-weights'

export interface LlamaConfig {
  modelType: string
  vocabSize: number
  hidden: number
  layers: number
  heads: number
  kvHeads: number
  headDim: number
  intermediate: number
  eps: number
  rope: RopeSpec
  activation: string
  qkvBias: boolean
  oBias: boolean
  mlpBias: boolean
  slidingWindow: number | undefined
  tieWordEmbeddings: boolean
  maxPositions: number
}

export function parseLlamaConfig(raw: RawConfig): LlamaConfig {
  const modelType = String(raw.model_type)
  const where = `config.json (${modelType})`
  const c = new ConfigReader(raw, where)
  const hidden = c.number('hidden_size')
  const heads = c.number('num_attention_heads')
  const headDim = c.number('head_dim', hidden / heads)
  const qwen2 = modelType === 'qwen2'
  if (qwen2 && c.boolean('use_sliding_window', false)) throw new Error(`${where}: use_sliding_window is not supported.`)
  const attentionBiasFlag = c.boolean('attention_bias', false)
  return {
    modelType,
    vocabSize: c.number('vocab_size'),
    hidden,
    layers: c.number('num_hidden_layers'),
    heads,
    kvHeads: c.number('num_key_value_heads', heads),
    headDim,
    intermediate: c.number('intermediate_size'),
    eps: c.number('rms_norm_eps', 1e-6),
    rope: ropeSpec(headDim, c.number('rope_theta', 10000), c.object('rope_scaling'), where),
    activation: c.string('hidden_act', 'silu'),
    qkvBias: qwen2 || attentionBiasFlag,
    oBias: !qwen2 && attentionBiasFlag,
    mlpBias: c.boolean('mlp_bias', false),
    slidingWindow: modelType === 'mistral' && c.has('sliding_window') ? c.number('sliding_window') : undefined,
    tieWordEmbeddings: c.boolean('tie_word_embeddings', false),
    maxPositions: c.number('max_position_embeddings', 2048),
  }
}

interface Layer {
  inputNorm: tf.Tensor1D
  q: Linear // [C, H·D]
  k: Linear // [C, K·D]
  v: Linear // [C, K·D]
  o: Linear // [H·D, C]
  postAttentionNorm: tf.Tensor1D
  gate: Linear // [C, F]
  up: Linear // [C, F]
  down: Linear // [F, C]
}

export class Llama implements CausalLM {
  readonly summary: ModelSummary
  readonly linears: ReadonlyMap<string, Linear>
  private readonly embed: tf.Tensor2D // [V, C]
  private readonly layers: Layer[]
  private readonly norm: tf.Tensor1D
  private readonly lmHead: Linear // [C, V]
  private readonly act: (x: tf.Tensor) => tf.Tensor

  constructor(
    readonly config: LlamaConfig,
    w: WeightLoader,
  ) {
    const { vocabSize: V, hidden: C, heads: H, kvHeads: K, headDim: D, intermediate: F } = config
    if (H % K !== 0) throw new Error(`config.json (${config.modelType}): num_attention_heads ${H} is not a multiple of num_key_value_heads ${K}.`)
    this.act = activation(config.activation)
    this.embed = w.embedding('model.embed_tokens.weight', V, C)
    this.layers = Array.from({ length: config.layers }, (_, i) => {
      const p = `model.layers.${i}`
      return {
        inputNorm: w.take1d(`${p}.input_layernorm.weight`, C),
        q: w.linear(`${p}.self_attn.q_proj`, C, H * D, config.qkvBias),
        k: w.linear(`${p}.self_attn.k_proj`, C, K * D, config.qkvBias),
        v: w.linear(`${p}.self_attn.v_proj`, C, K * D, config.qkvBias),
        o: w.linear(`${p}.self_attn.o_proj`, H * D, C, config.oBias),
        postAttentionNorm: w.take1d(`${p}.post_attention_layernorm.weight`, C),
        gate: w.linear(`${p}.mlp.gate_proj`, C, F, config.mlpBias),
        up: w.linear(`${p}.mlp.up_proj`, C, F, config.mlpBias),
        down: w.linear(`${p}.mlp.down_proj`, F, C, config.mlpBias),
      }
    })
    this.norm = w.take1d('model.norm.weight', C)
    // A checkpoint without lm_head.weight is tied, whatever the flag says (transformers would init it randomly).
    this.lmHead = !config.tieWordEmbeddings && w.has('lm_head.weight') ? w.linear('lm_head', C, V, false) : w.tiedHead('lm_head', this.embed)
    this.linears = collectLinears([...this.layers.flatMap((l) => [l.q, l.k, l.v, l.o, l.gate, l.up, l.down]), this.lmHead])
    this.summary = { family: 'llama', modelType: config.modelType, vocabSize: this.lmHead.outFeatures, layers: config.layers, hidden: C, maxPositions: config.maxPositions, learnedPositions: false }
  }

  newCache(): KVCache {
    return new KVCache(this.config.layers)
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const { heads: H, kvHeads: K, headDim: D, eps } = this.config
    const [B, T] = ids.shape
    const past = options.cache?.length ?? 0
    const bias = attentionBias(T, past + T, options.attentionMask, B, this.config.slidingWindow)
    const { cos, sin } = rotaryAngles(this.config.rope, options.positions ?? defaultPositions(B, T, past)) // [B,1,T,D/2]

    const residual = options.residualHook ?? ((t: tf.Tensor) => t)
    let x: tf.Tensor = tf.gather(this.embed, ids) // [B,T,C]
    if (options.inputEmbeddingsHook) x = options.inputEmbeddingsHook(x)
    x = runLayers(this.layers.length, x, options, [bias, cos, sin], (x, i) => {
      const layer = this.layers[i]!
      // attention
      const h = rmsNorm(x, layer.inputNorm, eps)
      const q = applyRotary(splitHeads(layer.q.apply(h), H, D), cos, sin) // [B,H,T,D]
      const k = applyRotary(splitHeads(layer.k.apply(h), K, D), cos, sin) // [B,K,T,D]
      const v = splitHeads(layer.v.apply(h), K, D) // [B,K,T,D]
      const kv = options.cache ? options.cache.append(i, k, v) : freshKV(k, v) // keys, values over S
      const a = x.add(residual(layer.o.apply(mergeHeads(attention(q, kv, bias, 1 / Math.sqrt(D))))))
      // SwiGLU MLP: down(act(gate(h)) · up(h))
      const m = rmsNorm(a, layer.postAttentionNorm, eps)
      return a.add(residual(layer.down.apply(this.act(layer.gate.apply(m)).mul(layer.up.apply(m)))))
    })
    x = rmsNorm(x, this.norm, eps)
    return this.lmHead.apply(x) as tf.Tensor3D // [B,T,V]
  }

  dispose(): void {
    this.embed.dispose()
    for (const l of this.layers) {
      l.inputNorm.dispose()
      l.postAttentionNorm.dispose()
    }
    this.norm.dispose()
    for (const l of this.linears.values()) l.dispose()
  }
}
