/**
 * How to start an engine child. From source (CLI, web host, tests) the worker is TypeScript run through
 * tsx; in the built app it is out/main/worker.js next to the bundled main process.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface EngineLaunch {
  script: string
  execArgv: string[]
  env: NodeJS.ProcessEnv
}

/** The engine's child entry points: training (worker) and chat (inference-worker). */
export type EngineEntry = 'worker' | 'inference-worker'

export function resolveEngineLaunch(entry: EngineEntry = 'worker'): EngineLaunch {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const built = path.join(here, `${entry}.js`)
  const env: NodeJS.ProcessEnv = { ...process.env }
  // Inside Electron, fork() runs the Electron binary: this makes it behave as plain Node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1'
  if (!import.meta.url.endsWith('.ts') && fs.existsSync(built)) {
    return { script: built, execArgv: [], env }
  }
  const source = path.resolve(here, '..', '..', 'src-engine', `${entry}.ts`)
  return { script: source, execArgv: ['--import', 'tsx'], env }
}
