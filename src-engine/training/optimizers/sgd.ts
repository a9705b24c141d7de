/**
 * SGD as torch.optim.SGD (maximize off), per parameter:
 *   g ← g + wd·p
 *   momentum ≠ 0:  b ← g on the first step, else b ← μ·b + (1 − dampening)·g
 *                  g ← g + μ·b (nesterov) or g ← b
 *   p ← p − lr·g
 * torch's defaults: momentum 0, dampening 0, nesterov false, weight_decay 0 (lr has no default in torch;
 * 1e-3 here). H2O LLM Studio builds it with momentum 0.9, nesterov true: see create-optimizer.ts.
 */
import type * as tf from '@tensorflow/tfjs'
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer'

export interface SgdOptions {
  lr?: number
  momentum?: number
  dampening?: number
  nesterov?: boolean
  weightDecay?: number
}

export class Sgd extends Optimizer {
  readonly kind = 'SGD'
  readonly momentum: number
  readonly dampening: number
  readonly nesterov: boolean

  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: SgdOptions = {}) {
    super(groups, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0 })
    this.momentum = options.momentum ?? 0
    this.dampening = options.dampening ?? 0
    this.nesterov = options.nesterov ?? false
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening (as in torch).')
  }

  protected updateParameter(param: tf.Variable, grad: tf.Tensor, group: ParamGroup, t: number): void {
    let d = group.weightDecay !== 0 ? grad.add(param.mul(group.weightDecay)) : grad
    if (this.momentum !== 0) {
      const buffer = this.slot(param, 'momentum_buffer')
      // torch starts the buffer as a copy of the first gradient, not from zero.
      const next = t === 1 ? d : buffer.mul(this.momentum).add(d.mul(1 - this.dampening))
      buffer.assign(next)
      d = this.nesterov ? d.add(next.mul(this.momentum)) : next
    }
    param.assign(param.sub(d.mul(group.lr)))
  }
}
