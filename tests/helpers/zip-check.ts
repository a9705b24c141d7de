/**
 * Read a ZIP archive with an independent reader — Python's zipfile (CPython's, present on every CI image) —
 * and return each entry's name, size, CRC-32 and SHA-256, after zipfile's own CRC check of every entry.
 */
import { spawnSync } from 'node:child_process'

export interface ZipListing {
  name: string
  size: number
  crc: number
  sha256: string
  zip64: boolean
}

const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit("bad CRC in " + bad)
    out = []
    for info in z.infolist():
        data = z.read(info)
        out.append({"name": info.filename, "size": info.file_size, "crc": info.CRC,
                    "sha256": hashlib.sha256(data).hexdigest(), "zip64": info.extract_version >= 45})
    print(json.dumps(out))
`

export function readZipWithPython(file: string): ZipListing[] {
  const result = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`python3 zipfile could not read ${file}: ${result.stderr}`)
  return JSON.parse(result.stdout) as ZipListing[]
}
