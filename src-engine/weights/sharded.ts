/**
 * Sharded checkpoints: an index file (model.safetensors.index.json, pytorch_model.bin.index.json) whose
 * weight_map names the shard file holding each tensor. ShardedSource opens shards lazily, on first use.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { StoredTensor, TensorSource } from './stored-tensor'

/** Several files behind one name → file map (a sharded checkpoint's weight_map). */
export class ShardedSource implements TensorSource {
  private readonly opened = new Map<string, TensorSource>()

  constructor(
    private readonly indexFile: string,
    private readonly weightMap: Record<string, string>,
    private readonly open: (file: string) => TensorSource,
  ) {}

  names(): string[] {
    return Object.keys(this.weightMap)
  }

  has(name: string): boolean {
    return name in this.weightMap
  }

  get(name: string): StoredTensor {
    const shard = this.weightMap[name]
    if (!shard) throw new Error(`Tensor "${name}" is not listed in ${this.indexFile}.`)
    const file = path.join(path.dirname(this.indexFile), shard)
    let source = this.opened.get(file)
    if (!source) {
      if (!fs.existsSync(file)) throw new Error(`${this.indexFile} lists ${shard} for "${name}", but ${file} is missing. Re-download the model.`)
      source = this.open(file)
      this.opened.set(file, source)
    }
    return source.get(name)
  }
}

export interface WeightIndex {
  weight_map: Record<string, string>
  metadata?: Record<string, unknown>
}

export function readWeightIndexFile(indexFile: string): WeightIndex {
  let parsed: Partial<WeightIndex>
  try {
    parsed = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Partial<WeightIndex>
  } catch (error) {
    throw new Error(`${indexFile} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  if (!parsed.weight_map || typeof parsed.weight_map !== 'object') throw new Error(`${indexFile} has no "weight_map".`)
  return { weight_map: parsed.weight_map, ...(parsed.metadata && typeof parsed.metadata === 'object' ? { metadata: parsed.metadata } : {}) }
}

export function readWeightIndex(indexFile: string): Record<string, string> {
  return readWeightIndexFile(indexFile).weight_map
}
