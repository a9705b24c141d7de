/**
 * Building blocks shared by the model families: norms, activations, rotary embeddings, the attention core,
 * the causal/padding mask and the KV cache. Each matches the corresponding transformers 4.40 code in float32.
 *
 * Dimension letters: B batch, T new positions (queries), S key positions (cache + new), H query heads,
 * K key/value heads, D head dim, C model width, R rotary dims.
 */
import * as tf from '@tensorflow/tfjs'
import { fusedGeluTanh, fusedLayerNorm, hasFusedKernel } from './fused-ops'
import type { AttentionKV } from './kv-cache'

/** torch.nn.LayerNorm: (x - mean) / sqrt(var + eps) * w + b, biased variance. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor {
  if (hasFusedKernel('layerNorm', x)) return fusedLayerNorm(x, weight, bias, eps)
  const { mean, variance } = tf.moments(x, -1, true)
  return x.sub(mean).mul(variance.add(eps).rsqrt()).mul(weight).add(bias)
}

/** LlamaRMSNorm: x * rsqrt(mean(x²) + eps) * w. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor1D, eps: number): tf.Tensor {
  const variance = x.square().sum(-1, true).div(x.shape[x.shape.length - 1]!) // mean(x²)
  return x.mul(variance.add(eps).rsqrt()).mul(weight)
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/** transformers' ACT2FN by name: "gelu" is the exact erf GELU; gelu_new / gelu_pytorch_tanh the tanh one. */
export function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'gelu':
      return (x) => x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1))
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return (x) => (hasFusedKernel('geluTanh', x) ? fusedGeluTanh(x) : x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh().add(1)))
    case 'relu':
      return (x) => x.relu()
    case 'silu':
    case 'swish':
      return (x) => x.mul(x.sigmoid())
    default:
      throw new Error(`Unsupported activation function "${name}" (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu).`)
  }
}

/** [B,T,H*D] → [B,H,T,D] */
export function splitHeads(x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D {
  const [B, T] = x.shape as [number, number, number]
  return x.reshape([B, T, heads, headDim]).transpose([0, 2, 1, 3])
}

/** [B,H,T,D] → [B,T,H*D] */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [B, H, T, D] = x.shape
  return x.transpose([0, 2, 1, 3]).reshape([B, T, H * D])
}

/**
 * Rotary inverse frequencies as torch computes them in float32: 1 / base^(2i/R), then rope_scaling.
 * Supported scalings: none, "linear" (positions / factor, applied in rotaryAngles), "llama3" (frequency bands).
 */
export interface RopeSpec {
  invFreq: Float32Array
  /** linear scaling divides positions by this; 1 otherwise */
  positionDivisor: number
}

export function ropeSpec(rotaryDims: number, base: number, scaling: Record<string, unknown> | null, where: string): RopeSpec {
  const f = Math.fround
  const invFreq = new Float32Array(rotaryDims / 2)
  for (let i = 0; i < invFreq.length; i++) invFreq[i] = f(1 / f(Math.pow(base, f((2 * i) / rotaryDims))))
  if (!scaling) return { invFreq, positionDivisor: 1 }
  const kind = String(scaling.rope_type ?? scaling.type ?? '')
  const factor = Number(scaling.factor)
  if (kind === 'default') return { invFreq, positionDivisor: 1 }
  if (!(factor > 0)) throw new Error(`${where}: rope_scaling needs a positive "factor", found ${JSON.stringify(scaling.factor)}.`)
  if (kind === 'linear') return { invFreq, positionDivisor: factor }
  if (kind === 'llama3') {
    const low = Number(scaling.low_freq_factor ?? 1)
    const high = Number(scaling.high_freq_factor ?? 4)
    const oldContext = Number(scaling.original_max_position_embeddings ?? 8192)
    const lowWavelen = oldContext / low
    const highWavelen = oldContext / high
    for (let i = 0; i < invFreq.length; i++) {
      const freq = invFreq[i]!
      const wavelen = (2 * Math.PI) / freq
      let scaled = wavelen > lowWavelen ? freq / factor : freq
      if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
        const smooth = (oldContext / wavelen - low) / (high - low)
        scaled = (1 - smooth) * (scaled / factor) + smooth * scaled
      }
      invFreq[i] = f(scaled)
    }
    return { invFreq, positionDivisor: 1 }
  }
  throw new Error(`${where}: rope_scaling type "${kind}" is not supported (supported: linear, llama3).`)
}

/** cos and sin of position × inv_freq, each [B,1,T,R/2] (computed in float32 like torch, then tensors). */
export function rotaryAngles(spec: RopeSpec, positions: number[][]): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const B = positions.length
  const T = positions[0]?.length ?? 0
  const half = spec.invFreq.length
  const cos = new Float32Array(B * T * half)
  const sin = new Float32Array(B * T * half)
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const p = Math.fround(positions[b]![t]! / spec.positionDivisor)
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * spec.invFreq[i]!)
        cos[(b * T + t) * half + i] = Math.cos(angle)
        sin[(b * T + t) * half + i] = Math.sin(angle)
      }
    }
  }
  return { cos: tf.tensor4d(cos, [B, 1, T, half]), sin: tf.tensor4d(sin, [B, 1, T, half]) }
}

/** rotate_half RoPE on the first R dims of x [B,H,T,D]: x1·cos − x2·sin ‖ x2·cos + x1·sin ‖ x[R:] */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [B, H, T, D] = x.shape
  const half = cos.shape[3]
  // slices, not tf.split: SplitV is 20x slower than Slice on the cpu backend
  const x1 = x.slice([0, 0, 0, 0], [B, H, T, half])
  const x2 = x.slice([0, 0, 0, half], [B, H, T, half])
  const rotated = [x1.mul(cos).sub(x2.mul(sin)), x2.mul(cos).add(x1.mul(sin))]
  if (D === 2 * half) return tf.concat(rotated, 3) as tf.Tensor4D
  return tf.concat([...rotated, x.slice([0, 0, 0, 2 * half], [B, H, T, D - 2 * half])], 3) as tf.Tensor4D
}

/**
 * Additive attention bias [B,1,T,S]: 0 where query t may see key s (causal: s ≤ S−T+t, and key s is not
 * padding, and within the sliding window when there is one: query − window < s), a large negative number elsewhere. null when nothing needs masking (one new position, no padding).
 */
export function attentionBias(T: number, S: number, keyMask: number[][] | undefined, B: number, slidingWindow?: number): tf.Tensor4D | null {
  const padded = keyMask?.some((row) => row.some((m) => m === 0)) ?? false
  const windowed = slidingWindow !== undefined && S > slidingWindow
  if (T === 1 && !padded && !windowed) return null
  const bias = new Float32Array(B * T * S)
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) {
        const query = S - T + t
        const visible = s <= query && (!windowed || s > query - slidingWindow) && (keyMask ? keyMask[b]![s] !== 0 : true)
        if (!visible) bias[(b * T + t) * S + s] = -1e9
      }
    }
  }
  return tf.tensor4d(bias, [B, 1, T, S])
}

/**
 * Scaled dot-product attention, eager as transformers does it: softmax(q·kᵀ·scale + bias)·v.
 * q [B,H,T,D]; keys and values as segments along S (kv-cache.ts), [B,K,D,S_i] and [B,K,S_i,D], with H = K·n:
 * key/value head j serves query heads j·n … j·n+n−1 (repeat_kv). Rather than repeating k and v n times (a
 * copy of the cache per step), the n query heads of a group are stacked along the query axis:
 * q [B,K,n·T,D] against kᵀ [B,K,D,S] computes the same dot products. Several segments: the scores of each
 * are concatenated along S for one softmax, and y = Σ_i probs_i·v_i.
 */
export function attention(q: tf.Tensor4D, kv: AttentionKV, bias: tf.Tensor4D | null, scale: number): tf.Tensor4D {
  const [B, H, T, D] = q.shape
  const K = kv.keysT[0]!.shape[1]
  const n = H / K
  const grouped = q.reshape([B, K, n * T, D])
  const parts = kv.keysT.map((kT) => tf.matMul(grouped, kT)) // [B,K,n·T,S_i]: keys held transposed, see PLATFORM-NOTES
  let scores: tf.Tensor = (parts.length === 1 ? parts[0]! : tf.concat(parts, 3)).mul(scale) // [B,K,n·T,S]
  const S = scores.shape[3]!
  if (bias) scores = scores.reshape([B, K, n, T, S]).add(bias.reshape([B, 1, 1, T, S])).reshape([B, K, n * T, S])
  const probs = tf.softmax(scores)
  let offset = 0
  let y: tf.Tensor | null = null
  for (const v of kv.values) {
    const length = v.shape[2]
    const p = kv.values.length === 1 ? probs : probs.slice([0, 0, 0, offset], [B, K, n * T, length])
    const part = tf.matMul(p, v) // [B,K,n·T,D]
    y = y ? y.add(part) : part
    offset += length
  }
  return y!.reshape([B, H, T, D])
}
