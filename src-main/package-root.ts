/** The installed package's folder, found from this file whether it runs from source or from out/main. */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'finetune-studio') return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('Cannot find the finetune-studio package folder.')
    dir = parent
  }
}
