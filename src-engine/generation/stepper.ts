/**
 * The model side of generation: next-token logits for a batch of rows, step by step. Generation strategies
 * (generate.ts) only see this interface, so they can be checked against small hand-worked tables.
 *
 * ModelStepper left-pads a batch of prompts (transformers' convention for decoder-only models): padding
 * positions are masked out of attention, and positions count real tokens only (cumsum(mask) − 1, as
 * transformers' prepare_inputs_for_generation does), so a padded row computes what it would alone.
 */
import * as tf from '@tensorflow/tfjs'
import type { CausalLM } from '../models/causal-lm'
import type { KVCache } from '../models/kv-cache'

export interface LogitsStepper {
  readonly vocabSize: number
  /** Runs the prompts; returns the next-token logits of every row. */
  start(): Promise<Float32Array[]>
  /** Appends one token per row; returns the next-token logits of every row. */
  step(tokens: readonly number[]): Promise<Float32Array[]>
  /** Keeps rows in this order (beam search), e.g. [0, 0, 2, 1]. */
  reorder(rows: readonly number[]): void
  dispose(): void
}

export interface ModelStepperOptions {
  padTokenId: number
  /** false: recompute the whole sequence at every step (slow; the reference for the cache). Default true. */
  useCache?: boolean
}

/** Left-pad prompts to one length: ids and attention mask (1 real, 0 padding). */
export function leftPad(prompts: readonly (readonly number[])[], padTokenId: number): { ids: number[][]; mask: number[][] } {
  const length = Math.max(...prompts.map((p) => p.length))
  return {
    ids: prompts.map((p) => [...new Array<number>(length - p.length).fill(padTokenId), ...p]),
    mask: prompts.map((p) => [...new Array<number>(length - p.length).fill(0), ...new Array<number>(p.length).fill(1)]),
  }
}

/** transformers: position_ids = cumsum(mask) − 1, with padding positions set to 1. */
export function positionsFromMask(mask: readonly (readonly number[])[]): number[][] {
  return mask.map((row) => {
    let seen = 0
    return row.map((m) => {
      seen += m
      return m === 0 ? 1 : seen - 1
    })
  })
}

export class ModelStepper implements LogitsStepper {
  readonly vocabSize: number
  private ids: number[][]
  private mask: number[][]
  private readonly padded: boolean
  private cache: KVCache | null

  constructor(
    private readonly model: CausalLM,
    prompts: readonly (readonly number[])[],
    options: ModelStepperOptions,
  ) {
    if (prompts.length === 0 || prompts.some((p) => p.length === 0)) throw new Error('Every prompt needs at least one token.')
    this.vocabSize = model.summary.vocabSize
    ;({ ids: this.ids, mask: this.mask } = leftPad(prompts, options.padTokenId))
    this.padded = this.mask.some((row) => row.includes(0))
    this.cache = options.useCache === false ? null : model.newCache()
  }

  async start(): Promise<Float32Array[]> {
    return this.run(this.ids, positionsFromMask(this.mask))
  }

  async step(tokens: readonly number[]): Promise<Float32Array[]> {
    if (tokens.length !== this.ids.length) throw new Error(`step: ${tokens.length} tokens for ${this.ids.length} rows.`)
    this.ids.forEach((row, b) => row.push(tokens[b]!))
    this.mask.forEach((row) => row.push(1))
    const positions = positionsFromMask(this.mask)
    if (!this.cache) return this.run(this.ids, positions)
    return this.run(this.ids.map((row) => row.slice(-1)), positions.map((row) => row.slice(-1)))
  }

  reorder(rows: readonly number[]): void {
    this.ids = rows.map((r) => [...this.ids[r]!])
    this.mask = rows.map((r) => [...this.mask[r]!])
    this.cache?.select(rows)
  }

  dispose(): void {
    this.cache?.dispose()
    this.cache = null
  }

  /** Forward the new ids [B][T]; read back the logits of each row's last position. */
  private async run(ids: number[][], positions: number[][]): Promise<Float32Array[]> {
    const B = ids.length
    const T = ids[0]!.length
    const V = this.vocabSize
    const last = tf.tidy(() => {
      const input = tf.tensor2d(ids, [B, T], 'int32')
      const logits = this.model.forward(input, {
        positions,
        ...(this.padded ? { attentionMask: this.mask } : {}),
        ...(this.cache ? { cache: this.cache } : {}),
      }) // [B,T,V]
      return logits.slice([0, T - 1, 0], [B, 1, V]).reshape([B, V])
    })
    const values = (await last.data()) as Float32Array
    last.dispose()
    return Array.from({ length: B }, (_, b) => values.slice(b * V, (b + 1) * V))
  }
}
