/**
 * llm_backbone → a model folder: a local folder as is, or a Hugging Face id found in the standard cache
 * ($HF_HOME/hub or ~/.cache/huggingface/hub, models--org--name/snapshots/<revision>, the revision that
 * refs/main names, else the newest). The engine never downloads: the app's Hub client does that first.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function hfHubCacheDir(): string {
  if (process.env.HF_HUB_CACHE) return process.env.HF_HUB_CACHE
  const home = process.env.HF_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface')
  return path.join(home, 'hub')
}

export function resolveBackbone(backbone: string): string {
  if (fs.existsSync(path.join(backbone, 'config.json'))) return backbone
  // "org/name" or "org/name@revision" (a branch, tag or commit), as the app's Hub client names them
  const [id = '', revision = 'main'] = backbone.trim().split('@')
  if (/^[\w.-]+\/[\w.-]+$/.test(id)) {
    const repo = path.join(hfHubCacheDir(), `models--${id.replace('/', '--')}`)
    const snapshots = path.join(repo, 'snapshots')
    if (fs.existsSync(snapshots)) {
      const exact = path.join(snapshots, revision)
      if (fs.existsSync(path.join(exact, 'config.json'))) return exact
      const refMain = path.join(repo, 'refs', revision)
      const preferred = fs.existsSync(refMain) ? path.join(snapshots, fs.readFileSync(refMain, 'utf8').trim()) : null
      if (preferred && fs.existsSync(path.join(preferred, 'config.json'))) return preferred
      const found = fs.readdirSync(snapshots)
        .map((r) => path.join(snapshots, r))
        .filter((dir) => fs.existsSync(path.join(dir, 'config.json')))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
      if (found[0] && revision === 'main') return found[0]
    }
    throw new Error(`llm_backbone "${backbone}" is not in the Hugging Face cache (${hfHubCacheDir()}): download it on the Models page (or with huggingface-cli download ${id}) first, or give a local model folder.`)
  }
  throw new Error(`llm_backbone "${backbone}" is neither a model folder with a config.json nor a Hugging Face model id (org/name).`)
}
