/**
 * Growing a model's vocabulary by N rows (tokenizer.add_prompt_answer_tokens), as transformers'
 * resize_token_embeddings: the token embedding [V, C] gains N rows and an untied output head N outputs.
 * The new rows start at the mean of the existing ones, as transformers' newer resize does (mean-based init,
 * instead of random draws that would give the new tokens outlying logits).
 */
import * as tf from '@tensorflow/tfjs'

/** Token embedding tables (not GPT-2's learned positions). */
export function isTokenEmbedding(name: string): boolean {
  return /(^|\.)(wte|embed_tokens|embed_in)\.weight$/.test(name)
}

/** Output heads that are not tied to the embedding. */
export function isOutputHead(module: string): boolean {
  return module === 'lm_head' || module === 'embed_out'
}

/** `table` with N rows along `axis` (0: [V, C] embedding; 1: [C, V] head held [in, out]), each the mean. */
export function growTable(table: tf.Tensor2D, extra: number, axis: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = table.mean(axis, true)
    return tf.concat([table, tf.tile(mean, axis === 0 ? [extra, 1] : [1, extra])], axis) as tf.Tensor2D
  })
}

/** The same for a stored row-major [rows, cols] table (export): N rows appended, each the mean row. */
export function growRows(data: Float32Array, rows: number, cols: number, extra: number): Float32Array {
  const out = new Float32Array((rows + extra) * cols)
  out.set(data.subarray(0, rows * cols))
  const mean = new Float64Array(cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += data[r * cols + c]!
  for (let c = 0; c < cols; c++) mean[c]! /= rows
  for (let r = rows; r < rows + extra; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = mean[c]!
  return out
}
