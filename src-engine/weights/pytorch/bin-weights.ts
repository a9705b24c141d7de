/**
 * A model folder's PyTorch weights as one TensorSource: pytorch_model.bin, or the shards listed in
 * pytorch_model.bin.index.json (pytorch_model-0000N-of-0000M.bin). Every file's pickle is read (and
 * vetted by the allow-list) when this opens, so a refused or broken file fails the load before any
 * tensor is used or any conversion is written; tensor bytes are read on get().
 */
import fs from 'node:fs'
import path from 'node:path'
import { readWeightIndex } from '../sharded'
import type { StoredDType, StoredTensor, TensorSource } from '../stored-tensor'
import { PytorchCheckpoint } from './checkpoint'

export const PYTORCH_WEIGHTS = 'pytorch_model.bin'
export const PYTORCH_INDEX = 'pytorch_model.bin.index.json'

/** The .bin files of a folder, in shard order, or null when it has none. */
export function findPytorchWeightFiles(dir: string): { files: string[]; indexFile: string | null } | null {
  const single = path.join(dir, PYTORCH_WEIGHTS)
  if (fs.existsSync(single)) return { files: [single], indexFile: null }
  const indexFile = path.join(dir, PYTORCH_INDEX)
  if (!fs.existsSync(indexFile)) return null
  const shards = [...new Set(Object.values(readWeightIndex(indexFile)))]
  const files = shards.map((shard) => path.join(dir, shard))
  const missing = files.filter((file) => !fs.existsSync(file))
  if (missing.length) throw new Error(`${indexFile} lists ${missing.map((f) => path.basename(f)).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} missing. Re-download the model.`)
  return { files, indexFile }
}

export class PytorchWeights implements TensorSource {
  readonly checkpoints: PytorchCheckpoint[]
  private readonly byName = new Map<string, PytorchCheckpoint>()

  constructor(
    readonly files: string[],
    indexFile: string | null = null,
  ) {
    this.checkpoints = files.map((file) => new PytorchCheckpoint(file))
    for (const checkpoint of this.checkpoints) {
      for (const name of checkpoint.names()) {
        const other = this.byName.get(name)
        if (other) throw new Error(`Tensor "${name}" is in both ${other.file} and ${checkpoint.file}.`)
        this.byName.set(name, checkpoint)
      }
    }
    if (indexFile) {
      for (const [name, shard] of Object.entries(readWeightIndex(indexFile))) {
        const holder = this.byName.get(name)
        if (!holder || path.basename(holder.file) !== shard) throw new Error(`${indexFile} lists "${name}" in ${shard}, but that file does not hold it.`)
      }
    }
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  info(name: string): { dtype: StoredDType; shape: number[] } {
    return this.holder(name).info(name)
  }

  get(name: string): StoredTensor {
    return this.holder(name).get(name)
  }

  private holder(name: string): PytorchCheckpoint {
    const checkpoint = this.byName.get(name)
    if (!checkpoint) throw new Error(`Tensor "${name}" is not in ${this.files.join(', ')}.`)
    return checkpoint
  }
}
