/**
 * Turns a checkpoint's StoredTensors into TensorFlow.js tensors for a model family, checking each shape
 * against what config.json implies, and remembering which names were used (so leftovers can be reported).
 *
 * dtype: TensorFlow.js 4.x has no float16/bfloat16 tensor dtype, so F16/BF16 weights are widened to
 * float32 here, when they become tensors (the StoredTensor bytes stay 16-bit until then).
 */
import * as tf from '@tensorflow/tfjs'
import { elementCount, toFloat32, type TensorSource } from '../weights/stored-tensor'
import type { Linear, LinearFactory } from './linear'

/** Turns an embedding table [rows, C] into what the model holds (force_embedding_gradients: a variable). */
export type EmbeddingFactory = (name: string, table: tf.Tensor2D) => tf.Tensor2D

/** Non-parameter buffers that some checkpoints carry and no model here needs (recomputed or unused). */
export const skippedBufferPatterns: readonly RegExp[] = [
  /\.attn\.bias$/, // GPT-2 causal mask buffer
  /\.attn\.masked_bias$/,
  /\.attention\.bias$/, // GPT-NeoX causal mask buffer
  /\.attention\.masked_bias$/,
  /\.rotary_emb\.inv_freq$/,
]

export function isSkippedBuffer(name: string): boolean {
  return skippedBufferPatterns.some((pattern) => pattern.test(name))
}

export class ShapeMismatchError extends Error {}

export class WeightLoader {
  private readonly used = new Set<string>()
  /** Every tensor made here, so that a load that fails half-way can free what it made. */
  private readonly created: tf.Tensor[] = []

  constructor(
    readonly source: TensorSource,
    private readonly where: string,
    private readonly makeLinear: LinearFactory,
    private readonly makeEmbedding: EmbeddingFactory = (_, table) => table,
  ) {}

  /** An nn.Embedding table [rows, cols] (token or learned position embeddings). */
  embedding(name: string, rows: number, cols: number): tf.Tensor2D {
    return this.makeEmbedding(name, this.take2d(name, rows, cols))
  }

  has(name: string): boolean {
    return this.source.has(name)
  }

  /** A float32 tensor of exactly `shape`, or a clear error naming the tensor, the expected and the found shape. */
  take(name: string, shape: readonly number[]): tf.Tensor {
    if (!this.source.has(name)) {
      throw new Error(`${this.where}: tensor "${name}" ${JSON.stringify(shape)} is missing from the checkpoint.`)
    }
    const stored = this.source.get(name)
    const same = stored.shape.length === shape.length && stored.shape.every((d, i) => d === shape[i])
    if (!same) {
      throw new ShapeMismatchError(
        `${this.where}: shape mismatch for tensor "${name}": expected ${JSON.stringify(shape)} from config.json, found ${JSON.stringify(stored.shape)} in the checkpoint.`,
      )
    }
    this.used.add(name)
    const values = stored.dtype === 'F32' && stored.bytes.byteOffset % 4 === 0
      ? new Float32Array(stored.bytes.buffer, stored.bytes.byteOffset, elementCount(stored.shape)).slice()
      : toFloat32(stored)
    return this.track(tf.tensor(values, [...shape], 'float32'))
  }

  private track<T extends tf.Tensor>(tensor: T): T {
    this.created.push(tensor)
    return tensor
  }

  /** Free every tensor this loader made (after a failed load). */
  disposeCreated(): void {
    for (const t of this.created) if (!t.isDisposed) t.dispose()
    this.created.length = 0
  }

  take1d(name: string, size: number): tf.Tensor1D {
    return this.take(name, [size]) as tf.Tensor1D
  }

  take2d(name: string, rows: number, cols: number): tf.Tensor2D {
    return this.take(name, [rows, cols]) as tf.Tensor2D
  }

  /** nn.Linear: weight stored [out, in] → held [in, out]. */
  linear(module: string, inF: number, outF: number, bias: boolean): Linear {
    const stored = this.take2d(`${module}.weight`, outF, inF)
    const weight = this.track(tf.tidy(() => stored.transpose() as tf.Tensor2D))
    stored.dispose()
    return this.makeLinear({ name: module, weight, bias: bias ? this.take1d(`${module}.bias`, outF) : null })
  }

  /** GPT-2 Conv1D: weight stored [in, out] already. */
  conv1d(module: string, inF: number, outF: number): Linear {
    return this.makeLinear({ name: module, weight: this.take2d(`${module}.weight`, inF, outF), bias: this.take1d(`${module}.bias`, outF) })
  }

  /**
   * The output head tied to the token embedding [V, C]: a Linear over a transposed copy [C, V] (one copy,
   * so that no step multiplies by a transposed operand). A stored lm_head.weight is then ignored, as
   * transformers does when tie_word_embeddings is true.
   */
  tiedHead(module: string, embedding: tf.Tensor2D): Linear {
    if (this.source.has(`${module}.weight`)) this.used.add(`${module}.weight`)
    // A trained embedding (force_embedding_gradients) stays one matrix for both uses, as tied weights do in
    // torch: the head multiplies by its transpose at run time (slower on wasm than a transposed copy).
    if (embedding instanceof tf.Variable) return new TiedHead(module, embedding)
    return this.makeLinear({ name: module, weight: this.track(tf.tidy(() => embedding.transpose() as tf.Tensor2D)), bias: null })
  }

  /** Tensors in the checkpoint that the model did not use (buffers we skip are not listed). */
  unused(): string[] {
    return this.source.names().filter((n) => !this.used.has(n) && !isSkippedBuffer(n))
  }
}

/** The output head over a trainable token embedding [V, C]: x @ embeddingᵀ. */
class TiedHead implements Linear {
  readonly inFeatures: number
  readonly outFeatures: number

  constructor(
    readonly name: string,
    private readonly embedding: tf.Tensor2D,
  ) {
    ;[this.outFeatures, this.inFeatures] = embedding.shape
  }

  apply(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1)
    return tf.matMul(x.reshape([-1, this.inFeatures]), this.embedding, false, true).reshape([...lead, this.outFeatures]) // [N, C] @ [V, C]ᵀ
  }

  dispose(): void {
    /* the embedding is the model's; it disposes it */
  }
}
