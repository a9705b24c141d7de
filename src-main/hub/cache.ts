/**
 * The Hugging Face cache layout, as huggingface_hub documents it (https://huggingface.co/docs/huggingface_hub/guides/manage-cache):
 *   $HF_HUB_CACHE (default $HF_HOME/hub, HF_HOME default ~/.cache/huggingface)
 *     models--org--name/            (datasets--org--name/ for datasets)
 *       blobs/<etag>                file contents; etag = sha256 for LFS files, the git blob sha1 otherwise
 *       refs/main                   the commit hash that `main` pointed to (no newline)
 *       snapshots/<commit>/<path>   relative symlinks to ../../blobs/<etag> (copies where symlinks are not allowed)
 * So files Python tools downloaded are reused here, and ours by them.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export type RepoType = 'model' | 'dataset'

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE
  const home = env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface')
  return path.join(home, 'hub')
}

export function repoFolder(cacheDir: string, type: RepoType, id: string): string {
  return path.join(cacheDir, [`${type}s`, ...id.split('/')].join('--'))
}

export const COMMIT_HASH = /^[0-9a-f]{40}$/

/** A repo path must stay inside the snapshot folder. */
export function safeRepoPath(file: string): string {
  const normalized = path.posix.normalize(file)
  if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized) || normalized.includes('\0')) {
    throw new Error(`Refusing a repository path outside the repository: ${file}`)
  }
  return normalized
}

export function blobPath(storage: string, etag: string): string {
  return path.join(storage, 'blobs', etag)
}

export function snapshotPath(storage: string, commit: string, file: string): string {
  return path.join(storage, 'snapshots', commit, ...safeRepoPath(file).split('/'))
}

/** Point snapshots/<commit>/<file> at the blob with a relative symlink (a copy where symlinks fail). */
export function linkSnapshot(storage: string, commit: string, file: string, etag: string): string {
  const pointer = snapshotPath(storage, commit, file)
  const blob = blobPath(storage, etag)
  fs.mkdirSync(path.dirname(pointer), { recursive: true })
  fs.rmSync(pointer, { force: true })
  try {
    fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer)
  } catch {
    fs.copyFileSync(blob, pointer)
  }
  return pointer
}

export function writeRef(storage: string, ref: string, commit: string): void {
  if (COMMIT_HASH.test(ref)) return
  const file = path.join(storage, 'refs', ...ref.split('/'))
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, commit)
}

/** The snapshot folder of a downloaded repo at a revision (a ref like main, or a commit), if present. */
export function cachedSnapshot(cacheDir: string, type: RepoType, id: string, revision = 'main'): string | undefined {
  const storage = repoFolder(cacheDir, type, id)
  let commit = revision
  if (!COMMIT_HASH.test(revision)) {
    const ref = path.join(storage, 'refs', ...revision.split('/'))
    if (!fs.existsSync(ref)) return undefined
    commit = fs.readFileSync(ref, 'utf8').trim()
  }
  const dir = path.join(storage, 'snapshots', commit)
  return fs.existsSync(dir) ? dir : undefined
}
