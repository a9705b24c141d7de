/**
 * environment.number_of_workers: tokenising the dataset in that many worker threads (node:worker_threads),
 * each loading the backbone's tokenizer and taking one contiguous share of the samples, so the output is
 * the same, in the same order, as tokenising in this thread. One worker, or few samples, tokenise here.
 * From source the worker is TypeScript run through tsx (as the engine child is); a build without the
 * worker file tokenises in this thread and says so.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Tokenizer } from '../tokenizers'
import { AddedSpecialTokensTokenizer } from '../tokenizers/added-special-tokens'
import { tokenizeSample, type PromptFormat, type SampleTexts, type TokenizedSample } from './dataset'
import type { TokenizeJob } from './tokenize-worker'

/**
 * Below this many samples per thread, starting it costs more than it saves: measured from source (tsx
 * compiles the worker's imports in each thread), 4000 rows took 1.1 s in one thread and 7.5 s with 2
 * workers, start-up included, at about 0.3 ms a row: threads pay off from some 40 000 rows.
 */
export const MIN_SAMPLES_PER_WORKER = 25_000

/** The worker's code: the .js file of a build, or (from source) a bootstrap that registers tsx, then imports the .ts. */
function workerScript(): { code: string | URL; eval: boolean } | null {
  const js = new URL('./tokenize-worker.js', import.meta.url)
  if (fs.existsSync(fileURLToPath(js))) return { code: js, eval: false }
  const ts = new URL('./tokenize-worker.ts', import.meta.url)
  if (!fs.existsSync(fileURLToPath(ts))) return null
  return { code: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts.href)}) })`, eval: true }
}

function runWorker(script: { code: string | URL; eval: boolean }, job: TokenizeJob): Promise<TokenizedSample[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script.code, { eval: script.eval })
    worker.once('message', (reply: { samples?: TokenizedSample[]; error?: string }) => {
      void worker.terminate()
      if (reply.samples) resolve(reply.samples)
      else reject(new Error(`Tokenizing in a worker thread failed: ${reply.error}`))
    })
    worker.once('error', reject)
    worker.postMessage(job)
  })
}

export async function tokenizeTexts(
  tokenizer: Tokenizer,
  backboneDir: string,
  format: PromptFormat,
  texts: readonly SampleTexts[],
  workers: number,
  log: (message: string) => void = () => {},
  minSamplesPerWorker = MIN_SAMPLES_PER_WORKER,
): Promise<TokenizedSample[]> {
  const threads = Math.min(workers, Math.floor(texts.length / minSamplesPerWorker))
  const script = threads > 1 ? workerScript() : null
  if (threads <= 1 || !script) {
    if (threads > 1) log('number_of_workers: this build has no tokenizer worker script; tokenizing in the engine thread.')
    return texts.map((t) => tokenizeSample(tokenizer, format, t))
  }
  const added = tokenizer instanceof AddedSpecialTokensTokenizer ? tokenizer.spec : undefined
  const share = Math.ceil(texts.length / threads)
  const parts = Array.from({ length: threads }, (_, i) => texts.slice(i * share, (i + 1) * share))
  const results = await Promise.all(parts.map((part) => runWorker(script, { backboneDir, format, texts: part, ...(added ? { added } : {}) })))
  return results.flat()
}
