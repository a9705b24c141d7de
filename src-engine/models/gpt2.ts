/**
 * GPT-2 (transformers' GPT2LMHeadModel), as in nanoGPT: learned token and position embeddings, pre-norm
 * blocks of causal self-attention and an MLP, a final LayerNorm, and the token embedding as output head
 * (tied) unless the checkpoint carries lm_head.weight.
 *
 * Departures from / notes on the reference:
 * - Conv1D weights are stored [in, out] and used as they are; c_attn is one fused [C, 3C] projection whose
 *   output is three blocks q | k | v (not interleaved per head).
 * - The MLP activation comes from config.activation_function: "gelu" is the exact erf GELU, "gelu_new"
 *   (the GPT-2 default) the tanh approximation.
 * - scale_attn_weights (÷√D) and scale_attn_by_inverse_layer_idx (÷(layer+1)) follow the config;
 *   reorder_and_upcast_attn only changes float16 numerics, so float32 ignores it. Dropout: inference only.
 * - The attn.bias / attn.masked_bias buffers of old checkpoints are skipped.
 *
 * Dimension letters: B batch, T new positions, S key positions, C n_embd, H n_head, D C/H, F n_inner, V vocab.
 */
import * as tf from '@tensorflow/tfjs'
import type { CausalLM, ForwardOptions, ModelSummary } from './causal-lm'
import { collectLinears, defaultPositions, runLayers } from './causal-lm'
import { ConfigReader, type RawConfig } from './config'
import { activation, attention, attentionBias, layerNorm, mergeHeads, splitHeads } from './layers'
import { freshKV, KVCache } from './kv-cache'
import type { Linear } from './linear'
import type { WeightLoader } from './load-weights'

export interface Gpt2Config {
  vocabSize: number
  nPositions: number
  nEmbd: number
  nLayer: number
  nHead: number
  nInner: number
  eps: number
  activation: string
  scaleAttnWeights: boolean
  scaleByInverseLayerIdx: boolean
  tieWordEmbeddings: boolean
}

export function parseGpt2Config(raw: RawConfig): Gpt2Config {
  const c = new ConfigReader(raw, 'config.json (gpt2)')
  const nEmbd = c.number('n_embd')
  return {
    vocabSize: c.number('vocab_size'),
    nPositions: c.number('n_positions'),
    nEmbd,
    nLayer: c.number('n_layer'),
    nHead: c.number('n_head'),
    nInner: c.number('n_inner', 4 * nEmbd), // null in the config means 4·C
    eps: c.number('layer_norm_epsilon', 1e-5),
    activation: c.string('activation_function', 'gelu_new'),
    scaleAttnWeights: c.boolean('scale_attn_weights', true),
    scaleByInverseLayerIdx: c.boolean('scale_attn_by_inverse_layer_idx', false),
    tieWordEmbeddings: c.boolean('tie_word_embeddings', true),
  }
}

interface Block {
  ln1: { weight: tf.Tensor1D; bias: tf.Tensor1D }
  cAttn: Linear // [C, 3C]
  attnProj: Linear // [C, C]
  ln2: { weight: tf.Tensor1D; bias: tf.Tensor1D }
  cFc: Linear // [C, F]
  mlpProj: Linear // [F, C]
}

export class Gpt2 implements CausalLM {
  readonly summary: ModelSummary
  readonly linears: ReadonlyMap<string, Linear>
  private readonly wte: tf.Tensor2D // [V, C]
  private readonly wpe: tf.Tensor2D // [P, C]
  private readonly blocks: Block[]
  private readonly lnF: { weight: tf.Tensor1D; bias: tf.Tensor1D }
  private readonly lmHead: Linear // [C, V]
  private readonly act: (x: tf.Tensor) => tf.Tensor

  constructor(
    readonly config: Gpt2Config,
    w: WeightLoader,
  ) {
    const { vocabSize: V, nPositions: P, nEmbd: C, nInner: F, nLayer } = config
    if (C % config.nHead !== 0) throw new Error(`config.json (gpt2): n_embd ${C} is not divisible by n_head ${config.nHead}.`)
    this.act = activation(config.activation)
    // Checkpoints saved from GPT2Model have no "transformer." prefix.
    const p = w.has('transformer.wte.weight') ? 'transformer.' : ''
    const ln = (name: string) => ({ weight: w.take1d(`${p}${name}.weight`, C), bias: w.take1d(`${p}${name}.bias`, C) })
    this.wte = w.embedding(`${p}wte.weight`, V, C)
    this.wpe = w.embedding(`${p}wpe.weight`, P, C)
    this.blocks = Array.from({ length: nLayer }, (_, i) => ({
      ln1: ln(`h.${i}.ln_1`),
      cAttn: w.conv1d(`${p}h.${i}.attn.c_attn`, C, 3 * C),
      attnProj: w.conv1d(`${p}h.${i}.attn.c_proj`, C, C),
      ln2: ln(`h.${i}.ln_2`),
      cFc: w.conv1d(`${p}h.${i}.mlp.c_fc`, C, F),
      mlpProj: w.conv1d(`${p}h.${i}.mlp.c_proj`, F, C),
    }))
    this.lnF = ln('ln_f')
    this.lmHead = w.has('lm_head.weight') && !config.tieWordEmbeddings
      ? w.linear('lm_head', C, V, false)
      : w.tiedHead('lm_head', this.wte)
    this.linears = collectLinears([...this.blocks.flatMap((b) => [b.cAttn, b.attnProj, b.cFc, b.mlpProj]), this.lmHead])
    this.summary = { family: 'gpt2', modelType: 'gpt2', vocabSize: this.lmHead.outFeatures, layers: nLayer, hidden: C, maxPositions: P, learnedPositions: true }
  }

  newCache(): KVCache {
    return new KVCache(this.config.nLayer)
  }

  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const { nHead: H, nEmbd: C } = this.config
    const D = C / H
    const [B, T] = ids.shape
    const past = options.cache?.length ?? 0
    const S = past + T
    const positions = options.positions ?? defaultPositions(B, T, past)
    if (positions.some((row) => row.some((pos) => pos >= this.config.nPositions))) {
      throw new Error(`GPT-2 has learned positions 0…${this.config.nPositions - 1} (n_positions); a position beyond that was requested.`)
    }
    const bias = attentionBias(T, S, options.attentionMask, B)
    const baseScale = this.config.scaleAttnWeights ? 1 / Math.sqrt(D) : 1

    // x = wte[ids] + wpe[positions]  [B,T,C]
    const residual = options.residualHook ?? ((t: tf.Tensor) => t)
    let tokens: tf.Tensor = tf.gather(this.wte, ids) // [B,T,C]
    if (options.inputEmbeddingsHook) tokens = options.inputEmbeddingsHook(tokens)
    let x: tf.Tensor = tokens.add(tf.gather(this.wpe, tf.tensor2d(positions, [B, T], 'int32')))
    x = runLayers(this.blocks.length, x, options, [bias], (x, layer) => {
      const block = this.blocks[layer]!
      const scale = this.config.scaleByInverseLayerIdx ? baseScale / (layer + 1) : baseScale
      // attention: q | k | v are three consecutive blocks of c_attn's output
      const qkv = block.cAttn.apply(layerNorm(x, block.ln1.weight, block.ln1.bias, this.config.eps)) // [B,T,3C]
      const [q, k, v] = tf.split(qkv, 3, 2).map((t) => splitHeads(t, H, D)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] // [B,H,T,D]
      const kv = options.cache ? options.cache.append(layer, k, v) : freshKV(k, v) // keys, values over S
      const y = mergeHeads(attention(q, kv, bias, scale)) // [B,T,C]
      const h = x.add(residual(block.attnProj.apply(y)))
      // MLP
      const f = block.cFc.apply(layerNorm(h, block.ln2.weight, block.ln2.bias, this.config.eps)) // [B,T,F]
      return h.add(residual(block.mlpProj.apply(this.act(f))))
    })
    x = layerNorm(x, this.lnF.weight, this.lnF.bias, this.config.eps)
    return this.lmHead.apply(x) as tf.Tensor3D // [B,T,V]
  }

  dispose(): void {
    this.wte.dispose()
    this.wpe.dispose()
    for (const b of this.blocks) {
      for (const t of [b.ln1.weight, b.ln1.bias, b.ln2.weight, b.ln2.bias]) t.dispose()
    }
    this.lnF.weight.dispose()
    this.lnF.bias.dispose()
    for (const l of this.linears.values()) l.dispose()
  }
}
