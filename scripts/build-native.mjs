// Builds the native kernels (native/, a C++ N-API addon) at `npm install`/`npm ci`, with node-gyp as npm
// bundles it, for this machine's CPU (-march=native: it runs where it is built). It never fails the install:
// without a compiler the engine's backend ladder says why and uses WebAssembly instead. The outcome is
// written to native/build/status.json, which the ladder quotes.
// N-API is ABI-stable, so the same file loads in Node and in Electron without a rebuild.
// FINETUNE_STUDIO_SKIP_NATIVE=1 skips the build; FINETUNE_STUDIO_PORTABLE_NATIVE=1 builds without -march=native
// (for a binary that must run on other CPUs of the same architecture).
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const nativeDir = path.join(root, 'native')
const buildDir = path.join(nativeDir, 'build')
const addon = path.join(buildDir, 'Release', 'finetune_native.node')

function writeStatus(ok, reason) {
  fs.mkdirSync(buildDir, { recursive: true })
  fs.writeFileSync(path.join(buildDir, 'status.json'), JSON.stringify({ ok, reason, at: new Date().toISOString() }, null, 2))
}

/** node-gyp's CLI: the one npm runs scripts with, else the one inside this Node's npm, else PATH's. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]
  const script = candidates.find((file) => file && fs.existsSync(file))
  return script ? [process.execPath, script] : ['node-gyp']
}

/** The line of a failed build's log that says what went wrong (a compiler error, a missing tool). */
function firstError(text) {
  const lines = String(text ?? '').split('\n').map((line) => line.trim())
  return lines.find((line) => /error|not found|no such file|cannot/i.test(line) && !/ERR! (not ok|cwd|node |node-gyp|System|command)/.test(line)) ?? ''
}

function lastLines(text, count) {
  return String(text ?? '').trim().split('\n').slice(-count).join('\n')
}

if (process.env.FINETUNE_STUDIO_SKIP_NATIVE) {
  writeStatus(false, 'skipped at install (FINETUNE_STUDIO_SKIP_NATIVE is set)')
  console.log('native kernels: skipped (FINETUNE_STUDIO_SKIP_NATIVE)')
  process.exit(0)
}

const [command, ...prefix] = nodeGyp()
const started = Date.now()
const build = spawnSync(command, [...prefix, 'rebuild'], { cwd: nativeDir, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 })
if (build.status !== 0 || !fs.existsSync(addon)) {
  const why = build.error ? build.error.message : firstError(`${build.stdout}\n${build.stderr}`) || `node-gyp exited with ${build.status}`
  writeStatus(false, `the build failed: ${why.slice(0, 300)}`)
  console.warn(`native kernels: not built (${why.slice(0, 300)}). Training uses WebAssembly instead; "npm run build:native" shows the full log.`)
  console.warn(lastLines(build.stderr, 15))
  process.exit(0)
}
try {
  // Load it in a fresh process: a file that builds but does not load (wrong libstdc++, CPU) is a failure too.
  const info = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addon)}).info()))`], { encoding: 'utf8' })
  writeStatus(true, `built in ${Math.round((Date.now() - started) / 1000)} s: ${info.trim()}`)
  console.log(`native kernels: built (${info.trim()})`)
} catch (error) {
  const why = lastLines(error.stderr, 1) || error.message
  fs.rmSync(addon, { force: true })
  writeStatus(false, `built but does not load: ${why.slice(0, 300)}`)
  console.warn(`native kernels: built but do not load (${why.slice(0, 300)}). Training uses WebAssembly instead.`)
}
