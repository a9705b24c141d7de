/**
 * number_of_workers: tokenising in worker threads gives exactly the samples, in the order, that tokenising
 * in this thread gives; the time for a few thousand rows with 1 and with 2 workers is printed (measured on
 * a shared CPU: noisy).
 */
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { chainRows, promptFormatFromConfig, tokenizeSample } from '../../../src-engine/training/dataset'
import { tokenizeTexts } from '../../../src-engine/training/parallel-tokenize'
import { ConfigSchema } from '../../../src-shared/config'

const backbone = path.resolve('resources/demo-backbone')

describe('tokenizing in worker threads', () => {
  it('gives the same samples in the same order as one thread; times 1 vs 2 workers', { timeout: 120_000 }, async () => {
    const tokenizer = await loadTokenizer(backbone)
    const format = promptFormatFromConfig(ConfigSchema.parse({ tokenizer: { max_length_prompt: 64, max_length_answer: 64, max_length: 128 } }))
    const rows = Array.from({ length: 4000 }, (_, i) => ({ instruction: `Question ${i}: what is ${i} plus ${i * 7}? Explain the steps in words.`, output: `The answer is ${i + i * 7}, because adding ${i} and ${i * 7} gives it.` }))
    const texts = chainRows(rows, rows, format, 'rows.csv')
    let started = performance.now()
    const single = await tokenizeTexts(tokenizer, backbone, format, texts, 1)
    const oneWorker = performance.now() - started
    started = performance.now()
    const parallel = await tokenizeTexts(tokenizer, backbone, format, texts, 2, () => {}, 1000)
    const twoWorkers = performance.now() - started
    console.log(`tokenizing 4000 rows: ${oneWorker.toFixed(0)} ms with 1 worker, ${twoWorkers.toFixed(0)} ms with 2 (worker start-up included)`)
    expect(await tokenizeTexts(tokenizer, backbone, format, texts, 4)).toEqual(single) // 4000 rows: below the default threshold, one thread
    expect(parallel).toHaveLength(4000)
    expect(parallel).toEqual(single)
    expect(single[17]).toEqual(tokenizeSample(tokenizer, format, texts[17]!))
  })
})
