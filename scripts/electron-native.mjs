// Builds a copy of better-sqlite3 for Electron's ABI into .electron-native/, used only when running under
// Electron (src-main/db/database.ts passes it as nativeBinding). The copy in node_modules stays built for
// Node, so the CLI, the web host and the tests keep working. Skipped, with a note, where Electron's
// binary or headers cannot be had (machines without internet).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const target = path.join(root, '.electron-native', 'better_sqlite3.node')
const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version
const stamp = `${target}.electron-${electronVersion}`
if (fs.existsSync(target) && fs.existsSync(stamp)) process.exit(0)

const work = path.join(root, '.electron-native', 'build')
fs.rmSync(work, { recursive: true, force: true })
fs.mkdirSync(work, { recursive: true })
fs.cpSync(path.join(root, 'node_modules/better-sqlite3'), path.join(work, 'node_modules/better-sqlite3'), { recursive: true })
fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'native', private: true, dependencies: { 'better-sqlite3': '*' } }))
try {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/@electron/rebuild/lib/cli.js'), '--version', electronVersion, '--module-dir', work, '--only', 'better-sqlite3', '--force'],
    { stdio: 'inherit' },
  )
  fs.copyFileSync(path.join(work, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), target)
  fs.writeFileSync(stamp, '')
} catch {
  console.warn('electron-native: could not rebuild better-sqlite3 for Electron (no Electron headers reachable?). The desktop window needs it; `npm run serve` works without.')
}
