/** The hf-reference suite (hf-reference-suite.ts) on the plain-JS cpu backend. */
import { useCpuBackend } from './helpers'
import { describeHfReference } from './hf-reference-suite'

describeHfReference('cpu', useCpuBackend)
