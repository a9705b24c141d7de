/**
 * A LogitsStepper over a hand-written table: the next-token probabilities of a row are a function of the
 * tokens it generated so far. Logits are log(probabilities), so softmax / log_softmax give the table back.
 */
import type { LogitsStepper } from '../../../src-engine/generation/stepper'

export class TableStepper implements LogitsStepper {
  private rows: number[][]

  constructor(
    readonly vocabSize: number,
    rows: number,
    private readonly table: (generated: readonly number[], row: number) => number[],
  ) {
    this.rows = Array.from({ length: rows }, () => [])
  }

  private logits(): Float32Array[] {
    return this.rows.map((generated, r) => Float32Array.from(this.table(generated, r), (p) => Math.log(p)))
  }

  async start(): Promise<Float32Array[]> {
    return this.logits()
  }

  async step(tokens: readonly number[]): Promise<Float32Array[]> {
    this.rows.forEach((row, r) => row.push(tokens[r]!))
    return this.logits()
  }

  reorder(rows: readonly number[]): void {
    this.rows = rows.map((r) => [...this.rows[r]!])
  }

  dispose(): void {}
}

/** Fixed raw logits (not probabilities) for every step. */
export class FixedLogitsStepper implements LogitsStepper {
  readonly vocabSize: number
  constructor(private readonly values: number[], private readonly rows = 1) {
    this.vocabSize = values.length
  }
  async start(): Promise<Float32Array[]> {
    return Array.from({ length: this.rows }, () => Float32Array.from(this.values))
  }
  async step(): Promise<Float32Array[]> {
    return this.start()
  }
  reorder(): void {}
  dispose(): void {}
}
