/** augmentation: noise added to the training inputs so the model does not just memorise them. */
import { number } from '../field'

const chained = { visibleWhen: { field: 'dataset.parent_id_column', noneOf: [null] } } as const

export const augmentationFields = {
  token_mask_probability: number(0.0, { min: 0, max: 1, maxExclusive: true, step: 0.05 }),
  neftune_noise_alpha: number(0, { origin: '+', min: 0, max: 50, step: 1 }),
  skip_parent_probability: number(0, { origin: '+', min: 0, max: 1, step: 0.05, ...chained }),
  random_parent_probability: number(0, { origin: '+', min: 0, max: 1, step: 0.05, ...chained }),
}
