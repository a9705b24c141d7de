/** A worker thread of environment.number_of_workers: tokenises the samples it is sent with the backbone's tokenizer. */
import { parentPort } from 'node:worker_threads'
import { loadTokenizer } from '../tokenizers'
import { AddedSpecialTokensTokenizer, type AddedTokensSpec } from '../tokenizers/added-special-tokens'
import { tokenizeSample, type PromptFormat, type SampleTexts } from './dataset'

export interface TokenizeJob {
  backboneDir: string
  format: PromptFormat
  texts: SampleTexts[]
  /** tokenizer.add_prompt_answer_tokens: the tokens added to the backbone's tokenizer. */
  added?: AddedTokensSpec
}

parentPort?.once('message', (job: TokenizeJob) => {
  void loadTokenizer(job.backboneDir).then(
    (base) => {
      const tokenizer = job.added ? new AddedSpecialTokensTokenizer(base, job.added.tokens, job.added.firstNewId) : base
      parentPort!.postMessage({ samples: job.texts.map((t) => tokenizeSample(tokenizer, job.format, t)) })
    },
    (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  )
})
