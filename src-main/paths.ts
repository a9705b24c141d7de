/**
 * Where the app keeps its data. One folder holds studio.db, datasets/ and experiments/.
 * $FINETUNE_STUDIO_HOME wins (CLI, web host, tests); otherwise the same folder Electron uses as userData,
 * so the desktop app, the CLI and the web host share one history.
 */
import os from 'node:os'
import path from 'node:path'

export const APP_FOLDER = 'finetune-studio'

export function platformAppDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming')
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support')
  return env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config')
}

export function appDataDir(env = process.env): string {
  const override = env.FINETUNE_STUDIO_HOME
  if (override && override.trim() !== '') return path.resolve(override)
  return path.join(platformAppDataDir(process.platform, env), APP_FOLDER)
}

export interface DataLayout {
  root: string
  database: string
  datasets: string
  experiments: string
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    database: path.join(root, 'studio.db'),
    datasets: path.join(root, 'datasets'),
    experiments: path.join(root, 'experiments'),
  }
}
