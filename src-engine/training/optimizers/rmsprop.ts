/**
 * RMSprop as torch.optim.RMSprop (maximize off), per parameter:
 *   g ← g + wd·p
 *   s ← α·s + (1 − α)·g²
 *   centered:  a ← α·a + (1 − α)·g;  d ← √(s − a²) + ε      else  d ← √s + ε
 *   momentum > 0:  b ← μ·b + g/d;  p ← p − lr·b              else  p ← p − lr·g/d
 * torch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false.
 * H2O LLM Studio builds it with momentum 0.9, alpha 0.9: see create-optimizer.ts.
 */
import type * as tf from '@tensorflow/tfjs'
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer'

export interface RmspropOptions {
  lr?: number
  alpha?: number
  eps?: number
  weightDecay?: number
  momentum?: number
  centered?: boolean
}

export class Rmsprop extends Optimizer {
  readonly kind = 'RMSprop'
  readonly alpha: number
  readonly eps: number
  readonly momentum: number
  readonly centered: boolean

  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: RmspropOptions = {}) {
    super(groups, { lr: options.lr ?? 1e-2, weightDecay: options.weightDecay ?? 0 })
    this.alpha = options.alpha ?? 0.99
    this.eps = options.eps ?? 1e-8
    this.momentum = options.momentum ?? 0
    this.centered = options.centered ?? false
  }

  protected updateParameter(param: tf.Variable, grad: tf.Tensor, group: ParamGroup): void {
    const g = group.weightDecay !== 0 ? grad.add(param.mul(group.weightDecay)) : grad
    const squareAvg = this.slot(param, 'square_avg')
    const sNext = squareAvg.mul(this.alpha).add(g.square().mul(1 - this.alpha))
    squareAvg.assign(sNext)
    let avg: tf.Tensor
    if (this.centered) {
      const gradAvg = this.slot(param, 'grad_avg')
      const aNext = gradAvg.mul(this.alpha).add(g.mul(1 - this.alpha))
      gradAvg.assign(aNext)
      avg = sNext.sub(aNext.square()).sqrt().add(this.eps)
    } else {
      avg = sNext.sqrt().add(this.eps)
    }
    if (this.momentum > 0) {
      const buffer = this.slot(param, 'momentum_buffer')
      const bNext = buffer.mul(this.momentum).add(g.div(avg))
      buffer.assign(bNext)
      param.assign(param.sub(bNext.mul(group.lr)))
    } else {
      param.assign(param.sub(g.div(avg).mul(group.lr)))
    }
  }
}
