/**
 * The linear layer, injected into every model so that LoRA (or quantised weights) can wrap any projection
 * by its Hugging Face module name (e.g. "model.layers.0.self_attn.q_proj", "transformer.h.0.attn.c_attn")
 * without forking the model code.
 *
 * Weights are held as [in, out] (x @ W, no transpose at run time: BatchMatMul with transposeB is 10-15x
 * slower on wasm). nn.Linear stores [out, in], so the loader transposes once; GPT-2's Conv1D is already
 * [in, out].
 */
import * as tf from '@tensorflow/tfjs'

export interface Linear {
  /** The module name as in the checkpoint, without ".weight". */
  readonly name: string
  readonly inFeatures: number
  readonly outFeatures: number
  /** x [..., in] → [..., out] */
  apply(x: tf.Tensor): tf.Tensor
  dispose(): void
}

export interface LinearWeights {
  name: string
  /** [in, out] */
  weight: tf.Tensor2D
  /** [out] or null */
  bias: tf.Tensor1D | null
}

/** Builds the Linear for one module; the default is DenseLinear. */
export type LinearFactory = (weights: LinearWeights) => Linear

/** x @ W (+ b), flattening leading dimensions so the matmul is one 2-D product. */
export function matmulLastAxis(x: tf.Tensor, w: tf.Tensor2D): tf.Tensor {
  const [inF, outF] = w.shape
  const lead = x.shape.slice(0, -1)
  const y = tf.matMul(x.reshape([-1, inF]), w) // [N, in] @ [in, out] → [N, out]
  return y.reshape([...lead, outF])
}

export class DenseLinear implements Linear {
  readonly name: string
  readonly inFeatures: number
  readonly outFeatures: number
  readonly weight: tf.Tensor2D
  readonly bias: tf.Tensor1D | null

  constructor({ name, weight, bias }: LinearWeights) {
    this.name = name
    this.weight = weight
    this.bias = bias
    ;[this.inFeatures, this.outFeatures] = weight.shape
  }

  apply(x: tf.Tensor): tf.Tensor {
    const y = matmulLastAxis(x, this.weight)
    return this.bias ? y.add(this.bias) : y
  }

  dispose(): void {
    this.weight.dispose()
    this.bias?.dispose()
  }
}

export const denseLinear: LinearFactory = (weights) => new DenseLinear(weights)
