/**
 * Open a model folder's weights as one TensorSource, whatever the layout: model.safetensors, or shards
 * listed in model.safetensors.index.json. (PyTorch .bin checkpoints: see the PyTorch checkpoint issue.)
 */
import fs from 'node:fs'
import path from 'node:path'
import { SafetensorsFile } from './safetensors'
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

export function readWeightIndex(indexFile: string): Record<string, string> {
  let parsed: { weight_map?: Record<string, string> }
  try {
    parsed = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { weight_map?: Record<string, string> }
  } catch (error) {
    throw new Error(`${indexFile} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  if (!parsed.weight_map || typeof parsed.weight_map !== 'object') throw new Error(`${indexFile} has no "weight_map".`)
  return parsed.weight_map
}

export function openModelWeights(dir: string): TensorSource {
  const single = path.join(dir, 'model.safetensors')
  if (fs.existsSync(single)) return new SafetensorsFile(single)
  const index = path.join(dir, 'model.safetensors.index.json')
  if (fs.existsSync(index)) return new ShardedSource(index, readWeightIndex(index), (file) => new SafetensorsFile(file))
  throw new Error(
    `No weights in ${dir}: expected model.safetensors or model.safetensors.index.json with its shards.`,
  )
}
