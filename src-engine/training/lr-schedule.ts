/**
 * Learning-rate schedules as pure functions, the way H2O LLM Studio defines them
 * (llm_studio/src/schedulers.py, "adjusted from transformers"), as the factor LambdaLR multiplies each
 * parameter group's initial lr by:
 *   warmup (all three):  step < W:  step / max(1, W)          — a linear ramp from 0
 *   Constant:            1
 *   Linear:              max(r, (T − step) / max(1, T − W))
 *   Cosine:              max(r, ½·(1 + cos(π·progress))),  progress = (step − W) / max(1, T − W)
 * with T total steps, W warmup steps, r = min_learning_rate_ratio. Constant ignores r (as H2O).
 * Note the floor is a max(), not a rescaling: the cosine reaches r before the end and stays there.
 *
 * `step` is 0-based and counts what the schedule counts: H2O calls scheduler.step() after every batch,
 * so the optimizer update made on batch k uses the factor at step k, and the very first update uses
 * factor 0 when there is warmup (as transformers' warmup schedules do).
 */

export const scheduleNames = ['Cosine', 'Linear', 'Constant'] as const
export type ScheduleName = (typeof scheduleNames)[number]

export interface ScheduleInput {
  /** 0-based step the update is made at. */
  step: number
  totalSteps: number
  /** May be fractional: warmup_epochs × batches per epoch, as H2O computes it. */
  warmupSteps: number
  /** min_learning_rate_ratio, in [0, 1]. */
  minLrRatio?: number
}

function warmupFactor(step: number, warmupSteps: number): number {
  return step / Math.max(1, warmupSteps)
}

export function constantFactor({ step, warmupSteps }: ScheduleInput): number {
  return step < warmupSteps ? warmupFactor(step, warmupSteps) : 1
}

export function linearFactor({ step, totalSteps, warmupSteps, minLrRatio = 0 }: ScheduleInput): number {
  if (step < warmupSteps) return warmupFactor(step, warmupSteps)
  return Math.max(minLrRatio, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps))
}

export function cosineFactor({ step, totalSteps, warmupSteps, minLrRatio = 0 }: ScheduleInput): number {
  if (step < warmupSteps) return warmupFactor(step, warmupSteps)
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps)
  return Math.max(minLrRatio, 0.5 * (1 + Math.cos(Math.PI * progress)))
}

export function scheduleFactor(schedule: ScheduleName, input: ScheduleInput): number {
  switch (schedule) {
    case 'Constant':
      return constantFactor(input)
    case 'Linear':
      return linearFactor(input)
    case 'Cosine':
      return cosineFactor(input)
    default: {
      const unknown: never = schedule
      throw new Error(`Unknown schedule ${String(unknown)}. Choose one of ${scheduleNames.join(', ')}.`)
    }
  }
}

/** The learning rate at `step` for a group whose configured lr is `baseLr`. */
export function learningRateAt(schedule: ScheduleName, input: ScheduleInput & { baseLr: number }): number {
  return input.baseLr * scheduleFactor(schedule, input)
}

/**
 * H2O's step counts (get_scheduler): totalSteps = epochs × batchesPerEpoch, warmupSteps =
 * warmup_epochs × batchesPerEpoch (not rounded). batchesPerEpoch = len(train_dataloader), i.e. after
 * drop_last_batch, counting batches, not optimizer updates, since the schedule advances every batch.
 */
export function scheduleSteps(epochs: number, warmupEpochs: number, batchesPerEpoch: number): { totalSteps: number; warmupSteps: number } {
  if (!(batchesPerEpoch > 0)) throw new Error('The training data gives no batch: lower batch_size, turn off drop_last_batch, or add rows.')
  return { totalSteps: epochs * batchesPerEpoch, warmupSteps: warmupEpochs * batchesPerEpoch }
}
