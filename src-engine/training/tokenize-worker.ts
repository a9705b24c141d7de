/** A worker thread of environment.number_of_workers: tokenises the samples it is sent with the backbone's tokenizer. */
import { parentPort } from 'node:worker_threads'
import { loadTokenizer } from '../tokenizers'
import { tokenizeSample, type PromptFormat, type SampleTexts } from './dataset'

export interface TokenizeJob {
  backboneDir: string
  format: PromptFormat
  texts: SampleTexts[]
}

parentPort?.once('message', (job: TokenizeJob) => {
  void loadTokenizer(job.backboneDir).then(
    (tokenizer) => parentPort!.postMessage({ samples: job.texts.map((t) => tokenizeSample(tokenizer, job.format, t)) }),
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  )
})
