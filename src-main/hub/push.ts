/**
 * Push a folder (an exported adapter or merged model) to the Hub: create the repo if it does not exist,
 * add a generated model card when the folder has no README.md, and upload every file in one commit through
 * @huggingface/hub (small files inline, weights through LFS), with per-file progress.
 */
import fs from 'node:fs'
import path from 'node:path'
import { commitIter, createRepo } from '@huggingface/hub'
import type { HubClient } from './client'
import { HubError } from './errors'
import { modelCard, type ModelCardInput } from './model-card'

export interface PushOptions {
  repo: string
  folder: string
  private?: boolean
  commitTitle?: string
  card: Omit<ModelCardInput, 'repo'>
  onProgress?: (event: { file: string; progress: number }) => void
}

function filesUnder(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return filesUnder(root, full)
    return entry.isFile() ? [path.relative(root, full).split(path.sep).join('/')] : []
  })
}

export async function pushFolder(client: HubClient, options: PushOptions): Promise<{ commit: string; url: string; created: boolean; files: string[] }> {
  const accessToken = client.writeToken()
  if (!accessToken) {
    throw new HubError('unauthorized', `Pushing to ${options.repo} needs a Hugging Face token with write access: create one at ${client.hubUrl}/settings/tokens and set HF_TOKEN.`, {
      repo: options.repo,
    })
  }
  const fetchFor = client.libraryFetch(options.repo)
  let created = true
  try {
    await createRepo({ repo: { type: 'model', name: options.repo }, private: options.private ?? true, hubUrl: client.hubUrl, fetch: fetchFor, accessToken })
  } catch (error) {
    if (!(error instanceof HubError && error.params.status === 409)) throw error
    created = false // it exists already: push a new commit to it
  }
  const paths = filesUnder(options.folder)
  const files = paths.map((p) => ({ path: p, content: new Blob([fs.readFileSync(path.join(options.folder, ...p.split('/')))]) }))
  if (!paths.includes('README.md')) files.push({ path: 'README.md', content: new Blob([modelCard({ ...options.card, repo: options.repo })]) })
  const upload = commitIter({
    repo: { type: 'model', name: options.repo },
    operations: files.map((f) => ({ operation: 'addOrUpdate' as const, path: f.path, content: f.content })),
    title: options.commitTitle ?? `Upload ${options.card.kind === 'adapter' ? 'LoRA adapter' : 'model'} from Finetune Studio`,
    hubUrl: client.hubUrl,
    fetch: fetchFor,
    accessToken,
  })
  // Every file is listed from the start; the library reports progress for LFS uploads only, so the small
  // files (sent inline with the commit) reach 1 when the commit is confirmed.
  const progress = new Map(files.map((f) => [f.path, 0]))
  for (const file of progress.keys()) options.onProgress?.({ file, progress: 0 })
  let step = await upload.next()
  while (!step.done) {
    if (step.value.event === 'fileProgress') {
      progress.set(step.value.path, step.value.progress)
      options.onProgress?.({ file: step.value.path, progress: step.value.progress })
    }
    step = await upload.next()
  }
  const commit = step.value?.commit
  if (!commit) throw new HubError('server', `${options.repo}: the Hub did not confirm the commit. Check the repository page and push again if files are missing.`, { repo: options.repo })
  for (const [file, done] of progress) if (done < 1) options.onProgress?.({ file, progress: 1 })
  return { commit: commit.oid, url: commit.url, created, files: files.map((f) => f.path) }
}
