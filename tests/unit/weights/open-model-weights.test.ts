/**
 * openModelWeights on folders with PyTorch .bin weights: same tensors as the safetensors folder, converted
 * once (next to the model, or into our cache when the folder is not writable), and the copy reused.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { openModelWeights, openWeightsFile, resolveModelWeights } from '../../../src-engine/weights'
import { defaultConvertedDir } from '../../../src-engine/weights/pytorch/convert'
import { SafetensorsFile } from '../../../src-engine/weights/safetensors'
import { copyFixture, expected, expectSameTensors, fixture, FIXTURES, removeTempDirs, tempDir } from './fixtures'

afterAll(removeTempDirs)

/** A folder holding the reference values as model.safetensors (what a safetensors-only repo would ship). */
function safetensorsFolder(name: string): string {
  const dir = path.join(tempDir(), name)
  fs.mkdirSync(dir)
  fs.copyFileSync(path.join(FIXTURES, name, 'expected.safetensors'), path.join(dir, 'model.safetensors'))
  return dir
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('openModelWeights with PyTorch weights', () => {
  it.each(['fp32', 'fp16', 'bf16', 'sharded', 'strided', 'shared', 'nested-state-dict'])(
    '%s: a .bin folder gives the same tensors as the safetensors folder',
    (name) => {
      const dir = copyFixture(name, tempDir())
      expectSameTensors(openModelWeights(dir, { cacheDir: tempDir() }), openModelWeights(safetensorsFolder(name)))
    },
  )

  it('converts once next to the model, says so, and later loads read the copy without rewriting it', () => {
    const dir = copyFixture('fp16', tempDir())
    const notes: string[] = []
    const first = resolveModelWeights(dir, { cacheDir: tempDir(), onNote: (n) => notes.push(n) })
    expect(first.format).toBe('converted-safetensors')
    expect(first.dir).toBe(dir)
    expect(notes).toHaveLength(2)
    expect(notes[0]).toMatch(/^Converting PyTorch pytorch_model\.bin \(0\.0 MB\) to safetensors once; later loads will read the copy\.$/)
    expect(notes[1]).toMatch(/^Converted PyTorch pytorch_model\.bin to safetensors \(.* MB in .* s\) in .*; later loads read the safetensors copy\.$/)
    const converted = path.join(dir, 'model.safetensors')
    expect(new SafetensorsFile(converted).metadata).toMatchObject({ format: 'pt', converted_by: 'finetune-studio' })
    expectSameTensors(first.source, expected('fp16'))

    const before = fs.statSync(converted).mtimeMs
    const writes = vi.spyOn(fs, 'openSync')
    const second = resolveModelWeights(dir)
    expect(second.format).toBe('converted-safetensors')
    expect(second.notes).toEqual([`Weights: safetensors converted by Finetune Studio from pytorch_model.bin (in ${dir}).`])
    expect(writes.mock.calls.filter(([, flags]) => flags === 'w')).toEqual([])
    expect(fs.statSync(converted).mtimeMs).toBe(before)
    expectSameTensors(second.source, expected('fp16'))
  })

  it('converts again when the .bin changes after conversion', () => {
    const dir = copyFixture('fp32', tempDir())
    resolveModelWeights(dir, { cacheDir: tempDir() })
    const bin = path.join(dir, 'pytorch_model.bin')
    const later = new Date(Date.now() + 60_000)
    fs.utimesSync(bin, later, later)
    const again = resolveModelWeights(dir, { cacheDir: tempDir() })
    expect(again.notes[0]).toBe('pytorch_model.bin changed since it was converted to safetensors: converting again.')
    expect(again.notes[1]).toMatch(/^Converting PyTorch pytorch_model\.bin/)
    expect(again.notes[2]).toMatch(/^Converted PyTorch pytorch_model\.bin/)
    expect(resolveModelWeights(dir).notes[0]).toMatch(/^Weights: safetensors converted/)
  })

  it('a re-conversion with another layout (single file → shards) removes the stale copy', () => {
    const dir = copyFixture('fp32', tempDir())
    resolveModelWeights(dir, { cacheDir: tempDir() })
    const later = new Date(Date.now() + 60_000)
    fs.utimesSync(path.join(dir, 'pytorch_model.bin'), later, later)
    const sharded = resolveModelWeights(dir, { cacheDir: tempDir(), maxShardBytes: 100 })
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false)
    expectSameTensors(sharded.source, expected('fp32'))
    const third = resolveModelWeights(dir)
    expect(third.notes).toEqual([`Weights: safetensors converted by Finetune Studio from pytorch_model.bin (in ${dir}).`])
  })

  it('writes into the cache folder when the model folder is not writable, then reuses the cache', () => {
    const dir = copyFixture('bf16', tempDir())
    const cacheDir = tempDir()
    const openSync = fs.openSync.bind(fs)
    vi.spyOn(fs, 'openSync').mockImplementation((file, flags, mode) => {
      if (String(file).startsWith(dir) && flags === 'w') throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES' })
      return openSync(file, flags, mode)
    })
    const first = resolveModelWeights(dir, { cacheDir })
    expect(first.format).toBe('converted-safetensors')
    expect(path.dirname(first.dir)).toBe(cacheDir)
    expect(first.notes[1]).toContain(`(could not write in ${dir}: EACCES)`)
    expect(fs.readdirSync(dir)).toEqual(['pytorch_model.bin'])
    expect(fs.readdirSync(first.dir)).toEqual(['model.safetensors'])
    expectSameTensors(first.source, expected('bf16'))

    const converted = path.join(first.dir, 'model.safetensors')
    const before = fs.statSync(converted).mtimeMs
    const second = resolveModelWeights(dir, { cacheDir })
    expect(second.dir).toBe(first.dir)
    expect(second.notes).toEqual([`Weights: safetensors converted by Finetune Studio from pytorch_model.bin, cached in ${first.dir}.`])
    expect(fs.statSync(converted).mtimeMs).toBe(before)
  })

  it('a conversion that fails half way (disk full at the second shard) leaves nothing behind and goes to the cache', () => {
    const dir = copyFixture('fp32', tempDir())
    const cacheDir = tempDir()
    const renameSync = fs.renameSync.bind(fs)
    let renamesInDir = 0
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(to).startsWith(dir) && ++renamesInDir === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      renameSync(from, to)
    })
    const opened = resolveModelWeights(dir, { cacheDir, maxShardBytes: 100 })
    expect(fs.readdirSync(dir)).toEqual(['pytorch_model.bin'])
    expect(path.dirname(opened.dir)).toBe(cacheDir)
    expect(opened.notes[1]).toContain(`(could not write in ${dir}: ENOSPC)`)
    expectSameTensors(opened.source, expected('fp32'))
  })

  it('reads the .bin directly when no copy can be written anywhere', () => {
    const dir = copyFixture('fp16', tempDir())
    vi.spyOn(fs, 'mkdirSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
    })
    const opened = resolveModelWeights(dir, { cacheDir: tempDir() })
    expect(opened.format).toBe('pytorch')
    expect(opened.notes[1]).toMatch(/^Weights: reading PyTorch pytorch_model\.bin directly: could not save a safetensors copy \(.*ENOSPC.*ENOSPC\)\.$/)
    expectSameTensors(opened.source, expected('fp16'))
  })

  it('splits large conversions into shards with an index (each shard stays readable in one Buffer)', () => {
    const dir = copyFixture('sharded', tempDir())
    const opened = resolveModelWeights(dir, { cacheDir: tempDir(), maxShardBytes: 100 })
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('model'))
    expect(files).toContain('model.safetensors.index.json')
    expect(files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThan(2)
    expectSameTensors(opened.source, expected('sharded'))
    const again = resolveModelWeights(dir)
    expect(again.format).toBe('converted-safetensors')
    expect(again.notes[0]).toMatch(/converted by Finetune Studio from 2 files \(pytorch_model-00001-of-00002\.bin, …\)/)
    expectSameTensors(again.source, expected('sharded'))
  })

  it('convert: false reads the .bin files every time and writes nothing', () => {
    const dir = copyFixture('sharded', tempDir())
    const opened = resolveModelWeights(dir, { convert: false })
    expect(opened.format).toBe('pytorch')
    expect(opened.notes[0]).toMatch(/reading PyTorch 2 files .* directly/)
    expectSameTensors(opened.source, expected('sharded'))
    expect(fs.readdirSync(dir).sort()).toEqual(['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin', 'pytorch_model.bin.index.json'])
  })

  it('legacy checkpoints fail with the conversion command, and nothing is written', () => {
    const dir = copyFixture('legacy', tempDir())
    expect(() => openModelWeights(dir, { cacheDir: tempDir() })).toThrow(/unsupported legacy PyTorch format[\s\S]*python3 -c "import torch; torch\.save\(torch\.load\(/)
    expect(fs.readdirSync(dir)).toEqual(['pytorch_model.bin'])
  })

  it('says where it found a nested state dict and what it ignored', () => {
    const dir = copyFixture('nested-state-dict', tempDir())
    const opened = resolveModelWeights(dir, { convert: false })
    expect(opened.notes[0]).toBe('pytorch_model.bin: read the state dict under ["state_dict"].')
    const model = resolveModelWeights(copyFixture('nested-model', tempDir()), { convert: false })
    expect(model.notes[0]).toBe('pytorch_model.bin: read the state dict under ["model"].')
    expectSameTensors(model.source, expected('nested-model'))
  })

  it('openWeightsFile reads one file of either kind (adapters), converting nothing', () => {
    expectSameTensors(openWeightsFile(fixture('bf16')), expected('bf16'))
    expectSameTensors(openWeightsFile(fixture('bf16', 'expected.safetensors')), expected('bf16'))
    expect(() => openWeightsFile(fixture('malicious-os-system'))).toThrow(/refused to load: it calls os\.system/)
  })

  it('a folder without weights names every layout it looked for', () => {
    expect(() => openModelWeights(tempDir())).toThrow(/model\.safetensors.*pytorch_model\.bin or pytorch_model\.bin\.index\.json/)
  })

  it('a missing shard is named before anything is read', () => {
    const dir = copyFixture('sharded', tempDir())
    fs.rmSync(path.join(dir, 'pytorch_model-00002-of-00002.bin'))
    expect(() => openModelWeights(dir)).toThrow(/lists pytorch_model-00002-of-00002\.bin, which is missing/)
  })

  it('the default cache is $FINETUNE_STUDIO_HOME/converted', () => {
    expect(defaultConvertedDir({ FINETUNE_STUDIO_HOME: '/data/studio' })).toBe('/data/studio/converted')
    expect(defaultConvertedDir({ XDG_CONFIG_HOME: '/home/u/.config' })).toBe(process.platform === 'linux' ? '/home/u/.config/finetune-studio/converted' : defaultConvertedDir({}))
  })
})
