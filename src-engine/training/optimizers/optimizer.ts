/**
 * The optimizer contract shared by every update rule (AdamW, Adam, SGD, RMSprop, Adadelta, AdamW8bit).
 *
 * Why our own and not tf.train.*: PyTorch semantics are the reference (decoupled weight decay, per-group
 * learning rates, per-parameter step counts, torch's defaults), and a checkpoint must save and restore the
 * state exactly. tfjs's optimizers have neither parameter groups nor an exportable per-parameter state.
 *
 * Shape of the thing, as torch.optim.Optimizer:
 *   - parameter groups, each with its own lr and weight decay (differential_learning_rate on named layers);
 *     the schedule rewrites `group.lr` before each step;
 *   - state per parameter (slots such as exp_avg) and a per-parameter step count, created lazily on the
 *     first step that parameter receives a gradient; a parameter with no gradient is skipped (as p.grad None);
 *   - exportState() gives named typed arrays + step counts, importState() puts them back bit for bit.
 *
 * Gradients arrive as a NamedTensorMap keyed by variable name (what tf.variableGrads returns).
 * step() runs inside one tf.tidy: no tensor outlives it except the slot variables.
 */
import * as tf from '@tensorflow/tfjs'

export interface ParamGroupSpec {
  params: tf.Variable[]
  /** Falls back to the optimizer's default lr. */
  lr?: number
  /** Falls back to the optimizer's default weight decay. */
  weightDecay?: number
  /** For logs and checkpoints only, e.g. "decay", "no_decay", "differential". */
  name?: string
}

export interface ParamGroup {
  name: string
  params: tf.Variable[]
  lr: number
  /** The lr this group started with: schedules scale it (as torch's LambdaLR scales initial_lr). */
  initialLr: number
  weightDecay: number
}

/** One saved state array: 32-bit slots are Float32Array, 8-bit quantised slots Uint8Array codes. */
export interface SavedArray {
  shape: number[]
  data: Float32Array | Uint8Array
}

export interface OptimizerState {
  /** Which update rule wrote this state; importing into another kind is refused. */
  kind: string
  /** Optimizer steps taken (calls to step()). */
  step: number
  /** Per-parameter step counts, keyed by variable name (torch keeps one per parameter). */
  paramSteps: Record<string, number>
  /** Slots keyed `${variableName}/${slotName}`, e.g. "layer0.lora_A/exp_avg". */
  arrays: Record<string, SavedArray>
}

export interface OptimizerDefaults {
  lr: number
  weightDecay: number
}

/** Numbers optimizer instances, so two optimizers over the same parameters never clash on slot names. */
let instances = 0

export abstract class Optimizer {
  abstract readonly kind: string
  private readonly instance = ++instances
  readonly groups: ParamGroup[]
  /** Optimizer steps taken. */
  stepCount = 0
  protected readonly paramSteps = new Map<string, number>()
  private readonly slots = new Map<string, Map<string, tf.Variable>>()

  constructor(groups: ParamGroupSpec[] | tf.Variable[], defaults: OptimizerDefaults) {
    const specs: ParamGroupSpec[] = groups.length > 0 && groups[0] instanceof tf.Variable ? [{ params: groups as tf.Variable[] }] : (groups as ParamGroupSpec[])
    const seen = new Set<string>()
    this.groups = specs.map((spec, index) => {
      for (const p of spec.params) {
        if (seen.has(p.name)) throw new Error(`Parameter ${p.name} appears in more than one optimizer parameter group.`)
        seen.add(p.name)
      }
      const lr = spec.lr ?? defaults.lr
      return { name: spec.name ?? `group${index}`, params: spec.params, lr, initialLr: lr, weightDecay: spec.weightDecay ?? defaults.weightDecay }
    })
  }

  /**
   * step() for callers that may run on WebGPU: an optimizer whose update runs on the host (AdamW8bit) first
   * reads its inputs with data(), since Node's WebGPU cannot read a tensor back synchronously.
   */
  async stepAsync(grads: tf.NamedTensorMap): Promise<void> {
    await this.readHostInputs(grads)
    this.step(grads)
  }

  /** Reads what updateParameter needs on the host; nothing for updates that stay on the tensor backend. */
  protected async readHostInputs(_grads: tf.NamedTensorMap): Promise<void> {}

  /** Applies one update to every parameter that has a gradient in `grads` (keyed by variable name). */
  step(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      for (const group of this.groups) {
        for (const param of group.params) {
          const grad = grads[param.name]
          if (!grad) continue
          const t = (this.paramSteps.get(param.name) ?? 0) + 1
          this.paramSteps.set(param.name, t)
          this.updateParameter(param, grad, group, t)
        }
      }
    })
    this.stepCount += 1
  }

  /** Sets every group's lr to its initial lr times `factor` (what a LambdaLR schedule does). */
  setLearningRateFactor(factor: number): void {
    for (const group of this.groups) group.lr = group.initialLr * factor
  }

  /** One parameter's update; runs inside step()'s tidy. `t` is this parameter's step count, from 1. */
  protected abstract updateParameter(param: tf.Variable, grad: tf.Tensor, group: ParamGroup, t: number): void

  /** A 32-bit slot of `param`, zero-initialised on first use. */
  protected slot(param: tf.Variable, name: string): tf.Variable {
    let bySlot = this.slots.get(param.name)
    if (!bySlot) this.slots.set(param.name, (bySlot = new Map()))
    let v = bySlot.get(name)
    if (!v) {
      v = tf.variable(tf.zerosLike(param), false, `${this.kind}#${this.instance}/${param.name}/${name}`)
      bySlot.set(name, v)
    }
    return v
  }

  /** Bytes the optimizer state holds (32-bit slots: 4 bytes an element). */
  stateBytes(): number {
    let bytes = 0
    for (const bySlot of this.slots.values()) for (const v of bySlot.values()) bytes += v.size * 4
    return bytes + this.extraStateBytes()
  }

  protected extraStateBytes(): number {
    return 0
  }

  /** Async: slots may live on a GPU, which Node's WebGPU reads back asynchronously only. */
  async exportState(): Promise<OptimizerState> {
    const arrays: Record<string, SavedArray> = {}
    for (const [paramName, bySlot] of this.slots) {
      for (const [slotName, v] of bySlot) arrays[`${paramName}/${slotName}`] = { shape: [...v.shape], data: Float32Array.from((await v.data()) as Float32Array) }
    }
    this.exportExtraArrays(arrays)
    return { kind: this.kind, step: this.stepCount, paramSteps: Object.fromEntries(this.paramSteps), arrays }
  }

  protected exportExtraArrays(_arrays: Record<string, SavedArray>): void {}

  /** Replaces the whole state with `state` (from exportState, possibly through a checkpoint file). */
  importState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new Error(`The checkpoint's optimizer state is for ${state.kind}, but this run uses ${this.kind}. Resume with optimizer ${state.kind}, or start a new experiment.`)
    }
    const params = new Map<string, tf.Variable>()
    for (const group of this.groups) for (const p of group.params) params.set(p.name, p)
    this.disposeState()
    this.stepCount = state.step
    for (const [name, steps] of Object.entries(state.paramSteps)) {
      if (!params.has(name)) throw new Error(`The checkpoint's optimizer state has a parameter ${name} that this model does not train.`)
      this.paramSteps.set(name, steps)
    }
    for (const [key, saved] of Object.entries(state.arrays)) {
      const cut = key.lastIndexOf('/')
      const paramName = key.slice(0, cut)
      const param = params.get(paramName)
      if (!param) throw new Error(`The checkpoint's optimizer state has a parameter ${paramName} that this model does not train.`)
      this.importSlot(param, key.slice(cut + 1), saved)
    }
  }

  /** Puts one saved array back; 32-bit slots by default, subclasses with other storage override. */
  protected importSlot(param: tf.Variable, slotName: string, saved: SavedArray): void {
    if (!(saved.data instanceof Float32Array)) throw new Error(`${this.kind} cannot read optimizer state ${param.name}/${slotName}: it is not 32-bit.`)
    if (saved.data.length !== param.size) throw new Error(`Optimizer state ${param.name}/${slotName} has ${saved.data.length} values but the parameter has ${param.size}.`)
    const v = this.slot(param, slotName)
    const data = saved.data
    tf.tidy(() => {
      v.assign(tf.tensor(data, param.shape, 'float32'))
    })
  }

  /** Frees every slot; the optimizer then starts from zero state. */
  disposeState(): void {
    for (const bySlot of this.slots.values()) for (const v of bySlot.values()) v.dispose()
    this.slots.clear()
    this.paramSteps.clear()
    this.disposeExtraState()
  }

  protected disposeExtraState(): void {}

  dispose(): void {
    this.disposeState()
  }
}
