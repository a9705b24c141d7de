/** A fresh app data folder per test file, removed afterwards. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function makeTempHome(prefix = 'fs-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}
