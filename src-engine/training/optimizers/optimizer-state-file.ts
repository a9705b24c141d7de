/**
 * Optimizer state ⇄ safetensors tensors, for checkpoints: each saved array becomes one tensor named as in
 * the state ("<param>/exp_avg", "<param>/exp_avg.codes" ...), F32 or U8, and the kind and step counts go in
 * the safetensors metadata (strings only there, so the per-parameter steps are JSON). Write the result with
 * weights/safetensors.ts (encodeSafetensors / writeSafetensors); read it back with SafetensorsFile.
 */
import type { StoredTensor, TensorSource } from '../../weights/stored-tensor'
import type { OptimizerState, SavedArray } from './optimizer'

export const optimizerStateFormat = 'finetune-studio-optimizer-state'

export function optimizerStateToTensors(state: OptimizerState): { tensors: Record<string, StoredTensor>; metadata: Record<string, string> } {
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, saved] of Object.entries(state.arrays)) {
    const { data } = saved
    tensors[name] = { dtype: data instanceof Uint8Array ? 'U8' : 'F32', shape: [...saved.shape], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
  }
  const metadata = { format: optimizerStateFormat, kind: state.kind, step: String(state.step), param_steps: JSON.stringify(state.paramSteps) }
  return { tensors, metadata }
}

export function optimizerStateFromTensors(source: TensorSource, metadata: Record<string, string>): OptimizerState {
  if (metadata.format !== optimizerStateFormat || !metadata.kind) {
    throw new Error('This file does not hold optimizer state written by Finetune Studio. Resume from a checkpoint folder this app wrote, or start a new experiment.')
  }
  const arrays: Record<string, SavedArray> = {}
  for (const name of source.names()) {
    const stored = source.get(name)
    // Copy: the source's bytes may be a view into a file buffer with any alignment.
    const bytes = Uint8Array.from(stored.bytes)
    if (stored.dtype === 'U8') arrays[name] = { shape: stored.shape, data: bytes }
    else if (stored.dtype === 'F32') arrays[name] = { shape: stored.shape, data: new Float32Array(bytes.buffer, 0, bytes.byteLength / 4) }
    else throw new Error(`Optimizer state tensor ${name} has dtype ${stored.dtype}; expected F32 or U8.`)
  }
  return { kind: metadata.kind, step: Number(metadata.step ?? 0), paramSteps: JSON.parse(metadata.param_steps ?? '{}') as Record<string, number>, arrays }
}
