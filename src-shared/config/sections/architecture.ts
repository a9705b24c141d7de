/** architecture: how the backbone is held in memory and what of it is trained. */
import { choice, number, text, toggle } from '../field'

export const architectureFields = {
  backbone_dtype: choice(['float32', 'float16', 'bfloat16', 'int8', 'int4'], 'float16'),
  gradient_checkpointing: toggle(false),
  force_embedding_gradients: toggle(false),
  intermediate_dropout: number(0, { min: 0, max: 1, maxExclusive: true, step: 0.05 }),
  /** Empty: start from the backbone's own weights. */
  pretrained_weights: text('', { origin: '+' }),
}
