/**
 * Builds the optimizer the config asks for, with H2O LLM Studio's parameter groups and presets
 * (llm_studio/src/utils/modeling_utils.py get_optimizer, llm_studio/src/optimizers.py):
 *   - four groups: {regular, differential_learning_rate_layers} × {decayed, not decayed}; a parameter is
 *     "differential" when its name contains any of the listed layer names, "not decayed" when it contains
 *     "bias" or "LayerNorm.weight" (H2O's list, kept as is so one config gives one behaviour);
 *   - SGD with momentum 0.9 and Nesterov; RMSprop with momentum 0.9 and alpha 0.9; the others with torch's
 *     defaults. H2O's "AdamW8bit" is bitsandbytes' Adam8bit, whose kernel decays weights decoupled: AdamW8bit.
 * Empty groups are dropped.
 */
import type * as tf from '@tensorflow/tfjs'
import { Adadelta } from './adadelta'
import { Adam, AdamW } from './adam'
import { AdamW8bit } from './adamw-8bit'
import type { Optimizer, ParamGroupSpec } from './optimizer'
import { Rmsprop } from './rmsprop'
import { Sgd } from './sgd'

export const optimizerNames = ['AdamW', 'Adam', 'SGD', 'RMSprop', 'Adadelta', 'AdamW8bit'] as const
export type OptimizerName = (typeof optimizerNames)[number]

export interface OptimizerSettings {
  optimizer: OptimizerName
  learningRate: number
  weightDecay: number
  /** Substrings of parameter names that train at differentialLearningRate. */
  differentialLearningRateLayers?: string[]
  differentialLearningRate?: number
}

const noDecayNames = ['bias', 'LayerNorm.weight']

export function parameterGroups(params: tf.Variable[], settings: Omit<OptimizerSettings, 'optimizer'>): ParamGroupSpec[] {
  const differentialLayers = settings.differentialLearningRateLayers ?? []
  const isDifferential = (p: tf.Variable): boolean => differentialLayers.some((layer) => layer !== '' && p.name.includes(layer))
  const isNoDecay = (p: tf.Variable): boolean => noDecayNames.some((nd) => p.name.includes(nd))
  const differentialLr = settings.differentialLearningRate ?? settings.learningRate
  const groups: ParamGroupSpec[] = [
    { name: 'decay', params: params.filter((p) => !isDifferential(p) && !isNoDecay(p)), lr: settings.learningRate, weightDecay: settings.weightDecay },
    { name: 'no_decay', params: params.filter((p) => !isDifferential(p) && isNoDecay(p)), lr: settings.learningRate, weightDecay: 0 },
    { name: 'differential_decay', params: params.filter((p) => isDifferential(p) && !isNoDecay(p)), lr: differentialLr, weightDecay: settings.weightDecay },
    { name: 'differential_no_decay', params: params.filter((p) => isDifferential(p) && isNoDecay(p)), lr: differentialLr, weightDecay: 0 },
  ]
  return groups.filter((g) => g.params.length > 0)
}

export function createOptimizer(params: tf.Variable[], settings: OptimizerSettings): Optimizer {
  const groups = parameterGroups(params, settings)
  const lr = settings.learningRate
  const weightDecay = settings.weightDecay
  switch (settings.optimizer) {
    case 'AdamW':
      return new AdamW(groups, { lr, weightDecay })
    case 'Adam':
      return new Adam(groups, { lr, weightDecay })
    case 'SGD':
      return new Sgd(groups, { lr, weightDecay, momentum: 0.9, nesterov: true })
    case 'RMSprop':
      return new Rmsprop(groups, { lr, weightDecay, momentum: 0.9, alpha: 0.9 })
    case 'Adadelta':
      return new Adadelta(groups, { lr, weightDecay })
    case 'AdamW8bit':
      return new AdamW8bit(groups, { lr, weightDecay })
    default: {
      const unknown: never = settings.optimizer
      throw new Error(`Unknown optimizer ${String(unknown)}. Choose one of ${optimizerNames.join(', ')}.`)
    }
  }
}
