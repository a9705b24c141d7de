/**
 * Open a model folder's weights as one TensorSource, whatever the layout:
 *   model.safetensors, or shards listed in model.safetensors.index.json;
 *   pytorch_model.bin, or shards listed in pytorch_model.bin.index.json — read by our safe unpickler
 *   (pytorch/), then converted once to safetensors (next to the model, or in our cache when the folder is
 *   read-only) so that later loads read the safetensors copy.
 * What happened is reported as notes (onNote, and resolveModelWeights' result) for logs and the UI.
 */
import fs from 'node:fs'
import path from 'node:path'
import { findPytorchWeightFiles, PytorchWeights } from './pytorch/bin-weights'
import { PytorchCheckpoint } from './pytorch/checkpoint'
import {
  cacheFolderFor,
  defaultConvertedDir,
  describeStamp,
  isStale,
  readConversionStamp,
  removeConverted,
  stampSources,
  writeConvertedSafetensors,
} from './pytorch/convert'
import { SafetensorsFile } from './safetensors'
import { readWeightIndexFile, ShardedSource } from './sharded'
import type { TensorSource } from './stored-tensor'

export { ShardedSource, readWeightIndex } from './sharded'
export { PytorchCheckpoint } from './pytorch/checkpoint'

/**
 * One weights file by itself (e.g. a PEFT adapter: adapter_model.safetensors or adapter_model.bin), no conversion:
 * safetensors by its extension, anything else as a PyTorch checkpoint (zip format, read by the safe unpickler).
 */
export function openWeightsFile(file: string): TensorSource {
  return file.endsWith('.safetensors') ? new SafetensorsFile(file) : new PytorchCheckpoint(file)
}

export interface OpenWeightsOptions {
  /** Called with each human-readable note (conversion done, converted copy used, …). */
  onNote?: (note: string) => void
  /** Convert .bin weights to safetensors once (default true). false: read the .bin files every time. */
  convert?: boolean
  /** Where conversions go when the model folder is not writable (default: $FINETUNE_STUDIO_HOME/converted). */
  cacheDir?: string
  /** Largest converted shard (default 1 GiB). */
  maxShardBytes?: number
}

export type WeightsFormat = 'safetensors' | 'converted-safetensors' | 'pytorch'

export interface OpenedWeights {
  source: TensorSource
  format: WeightsFormat
  /** The folder the weights were read from (the model folder, or a cache folder for converted weights). */
  dir: string
  notes: string[]
}

/** Safetensors weights in `dir`, with our conversion metadata when we wrote them. */
function openSafetensorsIn(dir: string): { source: TensorSource; metadata: Record<string, unknown> | undefined } | null {
  const single = path.join(dir, 'model.safetensors')
  if (fs.existsSync(single)) {
    const file = new SafetensorsFile(single)
    return { source: file, metadata: file.metadata }
  }
  const index = path.join(dir, 'model.safetensors.index.json')
  if (fs.existsSync(index)) {
    const parsed = readWeightIndexFile(index)
    return { source: new ShardedSource(index, parsed.weight_map, (file) => new SafetensorsFile(file)), metadata: parsed.metadata }
  }
  return null
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

export function resolveModelWeights(dir: string, options: OpenWeightsOptions = {}): OpenedWeights {
  const notes: string[] = []
  const note = (text: string): void => {
    notes.push(text)
    options.onNote?.(text)
  }
  const done = (source: TensorSource, format: WeightsFormat, from: string): OpenedWeights => ({ source, format, dir: from, notes })

  const local = openSafetensorsIn(dir)
  const localStamp = local ? readConversionStamp(local.metadata) : null
  if (local && !(localStamp && isStale(dir, localStamp))) {
    if (localStamp) note(`Weights: safetensors converted by Finetune Studio from ${describeStamp(localStamp)} (in ${dir}).`)
    return done(local.source, localStamp ? 'converted-safetensors' : 'safetensors', dir)
  }
  if (local && localStamp) {
    note(`${describeStamp(localStamp)} changed since it was converted to safetensors: converting again.`)
    try {
      removeConverted(dir)
    } catch (error) {
      if (!errorCode(error)) throw error // unreadable or undeletable: the new copy then goes to the cache folder
    }
  }

  const bins = findPytorchWeightFiles(dir)
  if (!bins) {
    throw new Error(
      `No weights in ${dir}: expected model.safetensors or model.safetensors.index.json with its shards, ` +
        `or pytorch_model.bin or pytorch_model.bin.index.json with its shards.`,
    )
  }
  const stamp = stampSources(bins.files)
  const label = describeStamp(stamp)
  const openBins = (): PytorchWeights => {
    const weights = new PytorchWeights(bins.files, bins.indexFile)
    for (const checkpoint of weights.checkpoints) {
      const where = checkpoint.wrapperPath.length ? ` the state dict under ${checkpoint.wrapperPath.map((k) => `["${k}"]`).join('')}` : ''
      const skipped = checkpoint.skipped.length ? ` ignoring non-tensor entries ${checkpoint.skipped.slice(0, 8).join(', ')}${checkpoint.skipped.length > 8 ? ', …' : ''}` : ''
      if (where || skipped) note(`${path.basename(checkpoint.file)}: read${where}${where && skipped ? ',' : ''}${skipped}.`)
    }
    return weights
  }
  if (options.convert === false) {
    const weights = openBins()
    note(`Weights: reading PyTorch ${label} directly (not converted; slower than safetensors).`)
    return done(weights, 'pytorch', dir)
  }

  const cacheFolder = cacheFolderFor(dir, stamp, options.cacheDir ?? defaultConvertedDir())
  const cached = openSafetensorsIn(cacheFolder)
  if (cached) {
    note(`Weights: safetensors converted by Finetune Studio from ${label}, cached in ${cacheFolder}.`)
    return done(cached.source, 'converted-safetensors', cacheFolder)
  }

  // Opening reads and vets every pickle: refused globals and legacy files fail here, before anything is written.
  const weights = openBins()
  const totalMb = stamp.reduce((sum, { size }) => sum + size, 0) / 1e6
  note(`Converting PyTorch ${label} (${totalMb.toFixed(1)} MB) to safetensors once; later loads will read the copy.`)
  const failures: string[] = []
  for (const target of [dir, cacheFolder]) {
    try {
      const result = writeConvertedSafetensors(weights, target, stamp, options.maxShardBytes)
      const opened = openSafetensorsIn(target)
      if (!opened) throw new Error(`the converted weights in ${target} did not open`)
      const mb = result.bytes / 1e6
      note(
        `Converted PyTorch ${label} to safetensors (${mb.toFixed(1)} MB in ${result.seconds.toFixed(1)} s) in ${target}` +
          `${target === dir ? '' : ` (could not write in ${failures[0] ?? dir})`}; later loads read the safetensors copy.`,
      )
      return done(opened.source, 'converted-safetensors', target)
    } catch (error) {
      const code = errorCode(error)
      if (!code) throw error // not a file-system failure (e.g. a corrupt tensor): loading would fail too
      failures.push(`${target}: ${code}`)
    }
  }
  note(`Weights: reading PyTorch ${label} directly: could not save a safetensors copy (${failures.join('; ')}).`)
  return done(weights, 'pytorch', dir)
}

/** The model folder's weights as one TensorSource; see resolveModelWeights for the notes and the format. */
export function openModelWeights(dir: string, options: OpenWeightsOptions = {}): TensorSource {
  return resolveModelWeights(dir, options).source
}
