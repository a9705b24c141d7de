/**
 * The streaming ZIP writer, read back by Python's zipfile: names (UTF-8, nested), contents byte for byte,
 * CRC-32, the announced size equal to the bytes written, and the ZIP64 records (forced, since a real
 * 4 GiB file is too slow to write in a unit test).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { folderEntries, zipSize, zipStream } from '../../../src-main/web/zip-stream'
import { makeTempHome } from '../../helpers/temp-home'
import { readZipWithPython } from '../../helpers/zip-check'

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex')

describe('zipStream', () => {
  const home = makeTempHome()
  const folder = path.join(home.dir, 'adapter')
  const files: Record<string, Buffer> = {
    'adapter_config.json': Buffer.from('{"r": 4}'),
    'adapter_model.safetensors': crypto.randomBytes(3 * 1024 * 1024 + 17),
    'empty.txt': Buffer.alloc(0),
    'nested/日本語.md': Buffer.from('# こんにちは\n'),
  }
  for (const [name, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true })
    fs.writeFileSync(path.join(folder, name), bytes)
  }
  afterAll(() => home.cleanup())

  for (const forceZip64 of [false, true]) {
    it(`writes an archive zipfile reads back byte for byte${forceZip64 ? ' (ZIP64 records)' : ''}`, async () => {
      const entries = folderEntries(folder, 'run-adapter')
      const out = path.join(home.dir, `out-${forceZip64}.zip`)
      await pipeline(zipStream(entries, { forceZip64 }), fs.createWriteStream(out))
      expect(fs.statSync(out).size).toBe(zipSize(entries, { forceZip64 }))
      const listing = readZipWithPython(out)
      expect(listing.map((e) => e.name)).toEqual(Object.keys(files).map((n) => `run-adapter/${n}`))
      for (const entry of listing) {
        const bytes = files[entry.name.replace('run-adapter/', '')]!
        expect(entry).toMatchObject({ size: bytes.length, sha256: sha256(bytes), zip64: forceZip64 })
      }
    })
  }

  it('fails the stream when a file changes size while it is zipped', async () => {
    const entries = folderEntries(folder, 'x')
    fs.appendFileSync(path.join(folder, 'adapter_config.json'), ' ')
    const out = path.join(home.dir, 'changed.zip')
    await expect(pipeline(zipStream(entries), fs.createWriteStream(out))).rejects.toThrow(/adapter_config\.json changed while it was being zipped/)
  })
})
