/**
 * skip_parent_probability / random_parent_probability on chained conversations: the share of earlier turns
 * dropped and replaced over many samples falls within 5 standard deviations of the binomial expectation
 * (for 8000 turns that is ±5·√(n·p·(1−p)), about ±205 turns at p = 0.3: a wrong probability, or one applied
 * per sample instead of per turn, lands far outside), the same seed gives the same contexts, another epoch
 * others; and the trainer's view re-tokenises only the samples whose chain changed.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../src-engine/generation/rng'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { augmentChain, ChainAugmentation } from '../../../src-engine/training/chain-augmentation'
import { promptFormatFromConfig, tokenizeSample, type PromptFormat, type SampleTexts } from '../../../src-engine/training/dataset'
import { ConfigSchema } from '../../../src-shared/config'

const turns = (i: number) => Array.from({ length: 4 }, (_, k) => ({ prompt: `q${i}.${k}`, answer: `a${i}.${k}` }))
const samples: SampleTexts[] = Array.from({ length: 2000 }, (_, i) => ({ system: '', prompt: `q${i}`, answer: `a${i}`, history: turns(i) }))

function within5Sigma(count: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p))
  expect(Math.abs(count - n * p)).toBeLessThan(5 * sigma)
}

describe('chain augmentation', () => {
  it('drops each earlier turn with skip_parent_probability and replaces a kept one with random_parent_probability', () => {
    const rng = seededRng(11)
    let dropped = 0
    let kept = 0
    let replaced = 0
    for (const [i, s] of samples.entries()) {
      const out = augmentChain(s, samples, { skipParentProbability: 0.3, randomParentProbability: 0.2 }, rng)
      const own = new Set(turns(i).map((t) => t.prompt))
      dropped += 4 - out.history!.length
      kept += out.history!.length
      replaced += out.history!.filter((t) => !own.has(t.prompt)).length
    }
    within5Sigma(dropped, 8000, 0.3)
    within5Sigma(replaced, kept, 0.2)
  })

  it('changes nothing at probability 0 and drops every turn at skip 1', () => {
    const none = augmentChain(samples[0]!, samples, { skipParentProbability: 0, randomParentProbability: 0 }, seededRng(1))
    expect(none.history).toEqual(samples[0]!.history)
    expect(augmentChain(samples[0]!, samples, { skipParentProbability: 1, randomParentProbability: 0 }, seededRng(1)).history).toEqual([])
  })

  it('the trainer view: same seed and epoch → same samples; another epoch → other contexts; unchained samples untouched', async () => {
    const tokenizer = await loadTokenizer(path.resolve('resources/demo-backbone'))
    const format: PromptFormat = promptFormatFromConfig(ConfigSchema.parse({}))
    const tokenize = (t: SampleTexts) => tokenizeSample(tokenizer, format, t)
    const texts = [...samples.slice(0, 50), { system: '', prompt: 'alone', answer: 'single' }]
    const tokenized = texts.map(tokenize)
    const settings = { skipParentProbability: 0.5, randomParentProbability: 0.3 }
    const a = new ChainAugmentation(tokenized, tokenize, settings, 7)
    const b = new ChainAugmentation(tokenized, tokenize, settings, 7)
    const epoch0 = texts.map((_, i) => a.at(i, 0).ids.join(' '))
    expect(texts.map((_, i) => b.at(i, 0).ids.join(' '))).toEqual(epoch0)
    const epoch1 = texts.map((_, i) => a.at(i, 1).ids.join(' '))
    expect(epoch1.filter((ids, i) => ids !== epoch0[i]!).length).toBeGreaterThan(25)
    expect(a.at(50, 3)).toBe(tokenized[50]) // no chain: the tokenised sample itself
    // a changed chain is tokenised from its augmented texts
    const changed = epoch0.findIndex((ids, i) => ids !== tokenized[i]!.ids.join(' '))
    expect(a.at(changed, 0).texts.history!.length).toBeLessThanOrEqual(4)
    expect(a.at(changed, 0).texts.prompt).toBe(texts[changed]!.prompt)
    const off = new ChainAugmentation(tokenized, tokenize, { skipParentProbability: 0, randomParentProbability: 0 }, 7)
    expect(off.at(3, 2)).toBe(tokenized[3])
  })
})
