/**
 * Convert once: PyTorch .bin weights → safetensors, written next to the model when its folder is writable,
 * else into our own cache ($FINETUNE_STUDIO_HOME/converted/<key>/). Later loads read the safetensors copy.
 *
 * Output: model.safetensors, or model-0000N-of-0000M.safetensors + model.safetensors.index.json when the
 * weights exceed `maxShardBytes` (1 GiB by default: every file stays readable in one Buffer). Each tensor is
 * streamed (read one, write one), so memory stays at the largest tensor. The provenance (source files with
 * size and mtime) is recorded in the safetensors metadata / index metadata as `converted_from`, so a copy
 * next to the model is redone when the .bin changes; cache folders are keyed by the same stamp.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SafetensorsFile, writeSafetensorsStreaming } from '../safetensors'
import { readWeightIndexFile } from '../sharded'
import { bytesPerElement, elementCount } from '../stored-tensor'
import type { PytorchWeights } from './bin-weights'

export const CONVERTED_BY = 'finetune-studio'

export interface SourceStamp {
  file: string
  size: number
  mtimeMs: number
}

export interface ConversionResult {
  dir: string
  files: string[]
  bytes: number
  seconds: number
}

/** Our data folder's converted/ (the same rule as src-main/paths.ts, which src-engine may not import). */
export function defaultConvertedDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FINETUNE_STUDIO_HOME
  if (override && override.trim() !== '') return path.join(path.resolve(override), 'converted')
  const base =
    process.platform === 'win32'
      ? (env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? path.join(os.homedir(), 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'))
  return path.join(base, 'finetune-studio', 'converted')
}

export function stampSources(files: readonly string[]): SourceStamp[] {
  return files.map((file) => {
    const stat = fs.statSync(file) // follows symlinks: the Hugging Face cache links snapshots to blobs
    return { file: path.basename(file), size: stat.size, mtimeMs: stat.mtimeMs }
  })
}

/** The cache folder for a model folder's weights in their current state (path, sizes, mtimes). */
export function cacheFolderFor(dir: string, stamp: readonly SourceStamp[], cacheRoot: string): string {
  const real = fs.realpathSync(dir)
  const hash = crypto.createHash('sha256').update(JSON.stringify({ dir: real, stamp })).digest('hex').slice(0, 16)
  const label = path.basename(real).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)
  return path.join(cacheRoot, `${label}-${hash}`)
}

/** The converted_from stamp recorded in a folder's safetensors weights, if we converted them. */
export function readConversionStamp(metadata: Record<string, unknown> | undefined): SourceStamp[] | null {
  const raw = metadata?.converted_from
  if (typeof raw !== 'string' || metadata?.converted_by !== CONVERTED_BY) return null
  try {
    const parsed = JSON.parse(raw) as unknown
    return Array.isArray(parsed) ? (parsed as SourceStamp[]) : null
  } catch {
    return null
  }
}

/** True when a recorded source still exists in `dir` but no longer matches its stamp. */
export function isStale(dir: string, stamp: readonly SourceStamp[]): boolean {
  return stamp.some(({ file, size, mtimeMs }) => {
    const current = path.join(dir, file)
    if (!fs.existsSync(current)) return false // the .bin was deleted after conversion: the copy is all there is
    const stat = fs.statSync(current)
    return stat.size !== size || stat.mtimeMs !== mtimeMs
  })
}

export function describeStamp(stamp: readonly SourceStamp[]): string {
  return stamp.length === 1 ? stamp[0]!.file : `${stamp.length} files (${stamp[0]!.file}, …)`
}

/** Write `source` as safetensors into `outDir` (created if needed); see the file header. */
export function writeConvertedSafetensors(
  source: PytorchWeights,
  outDir: string,
  stamp: readonly SourceStamp[],
  maxShardBytes = 2 ** 30,
): ConversionResult {
  const started = performance.now()
  fs.mkdirSync(outDir, { recursive: true })
  const entries = source.names().map((name) => ({ name, ...source.info(name) }))
  const size = (e: (typeof entries)[number]): number => elementCount(e.shape) * bytesPerElement[e.dtype]
  // Shards in source order, each up to maxShardBytes (a single larger tensor gets a shard of its own).
  const shards: (typeof entries)[] = []
  let current: typeof entries = []
  let currentBytes = 0
  for (const entry of entries) {
    if (current.length && currentBytes + size(entry) > maxShardBytes) {
      shards.push(current)
      current = []
      currentBytes = 0
    }
    current.push(entry)
    currentBytes += size(entry)
  }
  if (current.length) shards.push(current)
  const metadata = { format: 'pt', converted_by: CONVERTED_BY, converted_from: JSON.stringify(stamp) }
  const read = (name: string): Uint8Array => source.get(name).bytes
  let bytes = 0
  const files: string[] = []
  const index = path.join(outDir, 'model.safetensors.index.json')
  const indexTemporary = `${index}.partial-${process.pid}`
  try {
    if (shards.length <= 1) {
      const file = path.join(outDir, 'model.safetensors')
      bytes += writeSafetensorsStreaming(file, shards[0] ?? [], read, metadata)
      files.push(file)
    } else {
      const weightMap: Record<string, string> = {}
      let totalSize = 0
      shards.forEach((shard, i) => {
        const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`
        bytes += writeSafetensorsStreaming(path.join(outDir, name), shard, read, metadata)
        files.push(path.join(outDir, name))
        for (const entry of shard) {
          weightMap[entry.name] = name
          totalSize += size(entry)
        }
      })
      // The index last: until it exists, the folder has no (partial) safetensors weights to pick up.
      fs.writeFileSync(indexTemporary, `${JSON.stringify({ metadata: { total_size: totalSize, ...metadata }, weight_map: weightMap }, null, 2)}\n`)
      fs.renameSync(indexTemporary, index)
      files.push(index)
    }
  } catch (error) {
    // Leave no partial conversion behind (e.g. disk full after two of five shards).
    for (const file of [...files, indexTemporary]) fs.rmSync(file, { force: true })
    throw error
  }
  return { dir: outDir, files, bytes, seconds: (performance.now() - started) / 1000 }
}

/**
 * Delete the safetensors weights we converted earlier into `dir` (only files our stamp marks as ours), so a
 * re-conversion with a different layout (single file ↔ shards) leaves no stale copy to be picked up first.
 */
export function removeConverted(dir: string): void {
  const single = path.join(dir, 'model.safetensors')
  if (fs.existsSync(single) && readConversionStamp(new SafetensorsFile(single, undefined, { wholeFileLimit: 0 }).metadata)) fs.rmSync(single)
  const index = path.join(dir, 'model.safetensors.index.json')
  if (fs.existsSync(index)) {
    const parsed = readWeightIndexFile(index)
    if (!readConversionStamp(parsed.metadata)) return
    fs.rmSync(index)
    for (const shard of new Set(Object.values(parsed.weight_map))) fs.rmSync(path.join(dir, shard), { force: true })
  }
}
