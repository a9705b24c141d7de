import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeSafetensors, SafetensorsFile, writeSafetensorsStreaming } from '../../../src-engine/weights/safetensors'
import type { StoredTensor } from '../../../src-engine/weights/stored-tensor'
import { expectSameTensors, fixture, removeTempDirs, tempDir } from './fixtures'

afterAll(removeTempDirs)

const cases = ['fp32', 'bf16', 'strided', 'shared']

function allTensors(file: SafetensorsFile): Record<string, StoredTensor> {
  return Object.fromEntries(file.names().map((name) => [name, file.get(name)]))
}

describe('safetensors files', () => {
  it.each(cases)('%s: a large-file reader (tensor by tensor from disk) gives the same tensors as the whole-file one', (name) => {
    const file = fixture(name, 'expected.safetensors')
    expectSameTensors(new SafetensorsFile(file, undefined, { wholeFileLimit: 0 }), new SafetensorsFile(file))
  })

  it.each(cases)('%s: our writers reproduce the file the Python fixture script wrote, byte for byte', (name) => {
    const file = fixture(name, 'expected.safetensors')
    const reference = new SafetensorsFile(file)
    const tensors = allTensors(reference)
    const bytes = fs.readFileSync(file)
    expect(Buffer.compare(Buffer.from(encodeSafetensors(tensors, reference.metadata)), bytes)).toBe(0)
    const streamed = path.join(tempDir(), 'streamed.safetensors')
    const entries = Object.entries(tensors).map(([n, t]) => ({ name: n, dtype: t.dtype, shape: t.shape }))
    expect(writeSafetensorsStreaming(streamed, entries, (n) => tensors[n]!.bytes, reference.metadata)).toBe(bytes.byteLength)
    expect(Buffer.compare(fs.readFileSync(streamed), bytes)).toBe(0)
    expect(fs.readdirSync(path.dirname(streamed))).toEqual(['streamed.safetensors'])
  })

  it('a failed streaming write leaves no file behind', () => {
    const target = path.join(tempDir(), 'broken.safetensors')
    const entries = [{ name: 'a', dtype: 'F32' as const, shape: [2] }]
    expect(() => writeSafetensorsStreaming(target, entries, () => new Uint8Array(3))).toThrow(/3 bytes for F32 \[2\]/)
    expect(fs.readdirSync(path.dirname(target))).toEqual([])
  })
})
