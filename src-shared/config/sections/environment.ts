/** environment: where and how the computation runs, and how it is made repeatable. */
import { choice, integer, toggle } from '../field'

export const environmentFields = {
  mixed_precision: toggle(true),
  number_of_workers: integer(4, { min: 1, max: 64 }),
  /** -1: a random seed, recorded with the experiment. */
  seed: integer(1, { min: -1, max: 2 ** 31 - 1 }),
  // The engine's backend ladder (src-engine/backend.ts); 'auto' takes the first rung that works.
  backend: choice(['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu'], 'auto', { origin: '+' }),
}
