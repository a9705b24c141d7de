/**
 * augmentation.skip_parent_probability and random_parent_probability, for chained conversations
 * (parent_id_column): while training, each earlier turn of a sample's chain is dropped with probability
 * skip, else replaced by the prompt and answer of a random training row with probability random. Drawn
 * per sample per epoch from the run's seed, so an epoch sees other contexts than the last one, and a
 * resumed run sees the same ones as an uninterrupted run. Validation samples are never changed.
 */
import { seededRng } from '../generation/rng'
import type { SampleTexts, TokenizedSample } from './dataset'

export interface ChainAugmentationSettings {
  skipParentProbability: number
  randomParentProbability: number
}

/** The sample's texts with its earlier turns dropped or replaced, as `rng` draws. */
export function augmentChain(texts: SampleTexts, pool: readonly SampleTexts[], settings: ChainAugmentationSettings, rng: () => number): SampleTexts {
  if (!texts.history || texts.history.length === 0) return texts
  const history: { prompt: string; answer: string }[] = []
  for (const turn of texts.history) {
    if (rng() < settings.skipParentProbability) continue
    if (rng() < settings.randomParentProbability) {
      const other = pool[Math.floor(rng() * pool.length)]!
      history.push({ prompt: other.prompt, answer: other.answer })
    } else {
      history.push(turn)
    }
  }
  return { ...texts, history }
}

export class ChainAugmentation {
  private readonly active: boolean
  private readonly texts: readonly SampleTexts[]

  constructor(
    private readonly samples: readonly TokenizedSample[],
    private readonly tokenize: (texts: SampleTexts) => TokenizedSample,
    private readonly settings: ChainAugmentationSettings,
    private readonly seed: number,
  ) {
    this.texts = samples.map((s) => s.texts)
    this.active = (settings.skipParentProbability > 0 || settings.randomParentProbability > 0) && this.texts.some((t) => (t.history?.length ?? 0) > 0)
  }

  /** Training sample `index` as epoch `epoch` sees it (re-tokenised when its chain changed). */
  at(index: number, epoch: number): TokenizedSample {
    const texts = this.texts[index]!
    if (!this.active || !texts.history || texts.history.length === 0) return this.samples[index]!
    const rng = seededRng((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0)
    const augmented = augmentChain(texts, this.texts, this.settings, rng)
    const same = augmented.history!.length === texts.history.length && augmented.history!.every((turn, i) => turn === texts.history![i])
    return same ? this.samples[index]! : this.tokenize(augmented)
  }
}
