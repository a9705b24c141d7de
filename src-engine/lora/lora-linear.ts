/**
 * LoRA around any injected Linear, as PEFT defines it: y = base(x) + scale · (x · Aᵀ) · Bᵀ,
 * with A [r, in], B [out, r] as PEFT stores them (held transposed here: Aᵀ [in, r], Bᵀ [r, out]).
 * scale = lora_alpha / r, or lora_alpha / √r with use_rslora.
 */
import type * as tf from '@tensorflow/tfjs'
import { matmulLastAxis, type Linear } from '../models/linear'

export class LoraLinear implements Linear {
  readonly name: string
  readonly inFeatures: number
  readonly outFeatures: number

  constructor(
    readonly base: Linear,
    /** [in, r] */
    readonly aT: tf.Tensor2D,
    /** [r, out] */
    readonly bT: tf.Tensor2D,
    readonly scale: number,
  ) {
    this.name = base.name
    this.inFeatures = base.inFeatures
    this.outFeatures = base.outFeatures
  }

  apply(x: tf.Tensor): tf.Tensor {
    const delta = matmulLastAxis(matmulLastAxis(x, this.aT), this.bT) // [..., r] → [..., out]
    return this.base.apply(x).add(delta.mul(this.scale))
  }

  dispose(): void {
    this.base.dispose()
    this.aT.dispose()
    this.bT.dispose()
  }
}
