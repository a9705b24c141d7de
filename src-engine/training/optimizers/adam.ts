/**
 * Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (amsgrad off, maximize off), per parameter:
 *   AdamW: p ← p·(1 − lr·wd)                       (decoupled weight decay, applied first, as torch)
 *   Adam:  g ← g + wd·p                            (L2 penalty folded into the gradient)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * torch's defaults: betas (0.9, 0.999), eps 1e-8, weight_decay 0 (Adam) / 1e-2 (AdamW).
 */
import type * as tf from '@tensorflow/tfjs'
import { fusedAdamStep, hasFusedKernel } from '../../models/fused-ops'
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer'

export interface AdamOptions {
  lr?: number
  betas?: [number, number]
  eps?: number
  weightDecay?: number
}

abstract class AdamBase extends Optimizer {
  readonly beta1: number
  readonly beta2: number
  readonly eps: number
  protected abstract readonly decoupledWeightDecay: boolean

  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: AdamOptions, defaultWeightDecay: number) {
    super(groups, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? defaultWeightDecay })
    ;[this.beta1, this.beta2] = options.betas ?? [0.9, 0.999]
    this.eps = options.eps ?? 1e-8
  }

  protected updateParameter(param: tf.Variable, grad: tf.Tensor, group: ParamGroup, t: number): void {
    const { lr, weightDecay } = group
    if (hasFusedKernel('adamStep', param) && grad.dtype === 'float32') {
      this.fusedUpdate(param, grad, lr, weightDecay, t)
      return
    }
    let p: tf.Tensor = param
    let g = grad
    if (weightDecay !== 0) {
      if (this.decoupledWeightDecay) p = p.mul(1 - lr * weightDecay)
      else g = g.add(p.mul(weightDecay))
    }
    const m = this.slot(param, 'exp_avg')
    const v = this.slot(param, 'exp_avg_sq')
    const mNext = m.mul(this.beta1).add(g.mul(1 - this.beta1))
    const vNext = v.mul(this.beta2).add(g.square().mul(1 - this.beta2))
    const stepSize = lr / (1 - this.beta1 ** t)
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** t)
    const denom = vNext.sqrt().div(biasCorrection2Sqrt).add(this.eps)
    m.assign(mNext)
    v.assign(vNext)
    param.assign(p.sub(mNext.div(denom).mul(stepSize)))
  }

  /** The same update in one pass (models/fused-ops.ts), where the backend has the kernel. */
  private fusedUpdate(param: tf.Variable, grad: tf.Tensor, lr: number, weightDecay: number, t: number): void {
    const m = this.slot(param, 'exp_avg')
    const v = this.slot(param, 'exp_avg_sq')
    const [p, mNext, vNext] = fusedAdamStep(param, grad, m, v, {
      keep: 1 - lr * weightDecay, weightDecay, beta1: this.beta1, beta2: this.beta2, eps: this.eps,
      stepSize: lr / (1 - this.beta1 ** t), biasCorrection2Sqrt: Math.sqrt(1 - this.beta2 ** t), decoupled: this.decoupledWeightDecay,
    })
    m.assign(mNext)
    v.assign(vNext)
    param.assign(p)
  }
}

/** torch.optim.AdamW: decoupled weight decay (default 1e-2). */
export class AdamW extends AdamBase {
  readonly kind = 'AdamW'
  protected readonly decoupledWeightDecay = true
  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: AdamOptions = {}) {
    super(groups, options, 1e-2)
  }
}

/** torch.optim.Adam: weight decay as an L2 term in the gradient (default 0). */
export class Adam extends AdamBase {
  readonly kind = 'Adam'
  protected readonly decoupledWeightDecay = false
  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: AdamOptions = {}) {
    super(groups, options, 0)
  }
}
