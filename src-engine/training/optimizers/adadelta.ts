/**
 * Adadelta as torch.optim.Adadelta (maximize off), per parameter:
 *   g ← g + wd·p
 *   s ← ρ·s + (1 − ρ)·g²
 *   Δ ← √(u + ε) / √(s + ε) · g
 *   u ← ρ·u + (1 − ρ)·Δ²
 *   p ← p − lr·Δ
 * torch's defaults: lr 1.0 (it scales Δ; the paper has no lr), rho 0.9, eps 1e-6, weight_decay 0.
 */
import type * as tf from '@tensorflow/tfjs'
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer'

export interface AdadeltaOptions {
  lr?: number
  rho?: number
  eps?: number
  weightDecay?: number
}

export class Adadelta extends Optimizer {
  readonly kind = 'Adadelta'
  readonly rho: number
  readonly eps: number

  constructor(groups: ParamGroupSpec[] | tf.Variable[], options: AdadeltaOptions = {}) {
    super(groups, { lr: options.lr ?? 1.0, weightDecay: options.weightDecay ?? 0 })
    this.rho = options.rho ?? 0.9
    this.eps = options.eps ?? 1e-6
  }

  protected updateParameter(param: tf.Variable, grad: tf.Tensor, group: ParamGroup): void {
    const g = group.weightDecay !== 0 ? grad.add(param.mul(group.weightDecay)) : grad
    const squareAvg = this.slot(param, 'square_avg')
    const accDelta = this.slot(param, 'acc_delta')
    const sNext = squareAvg.mul(this.rho).add(g.square().mul(1 - this.rho))
    const delta = accDelta.add(this.eps).sqrt().div(sNext.add(this.eps).sqrt()).mul(g)
    const uNext = accDelta.mul(this.rho).add(delta.square().mul(1 - this.rho))
    squareAvg.assign(sNext)
    accDelta.assign(uNext)
    param.assign(param.sub(delta.mul(group.lr)))
  }
}
