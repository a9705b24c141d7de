/**
 * One file from the Hub into a local path, resumable: bytes go to `<dest>.incomplete`; a cut connection (or
 * a later run) continues from its size with a Range request; the finished file is checked (size, and the
 * sha256 that LFS files are named by) and renamed into place.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import { HubError } from './errors'
import type { HubFetch } from './http'

export interface ByteProgress {
  bytes: number
  total: number | null
}

export interface DownloadOptions {
  fetch: HubFetch
  url: string
  dest: string
  what: string
  repo: string
  expectedSize?: number
  /** LFS files: their sha256 (the blob's name in the cache). */
  expectedSha256?: string
  onBytes?: (progress: ByteProgress) => void
  signal?: AbortSignal
  /** How many times a cut connection is resumed before giving up. */
  maxResumes?: number
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function downloadResumable(options: DownloadOptions): Promise<{ resumedFrom: number; requests: number }> {
  const partial = `${options.dest}.incomplete`
  const maxResumes = options.maxResumes ?? 5
  let firstOffset = -1
  let requests = 0
  for (let attempt = 0; ; attempt++) {
    let offset = fs.existsSync(partial) ? fs.statSync(partial).size : 0
    if (options.expectedSize !== undefined && offset > options.expectedSize) {
      fs.truncateSync(partial, 0)
      offset = 0
    }
    if (firstOffset < 0) firstOffset = offset
    if (options.expectedSize !== undefined && offset === options.expectedSize) break
    requests++
    const response = await options.fetch(options.url, {
      what: options.what,
      repo: options.repo,
      signal: options.signal,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    })
    if (offset > 0 && response.status !== 206) offset = 0 // the server ignored the range: start over
    const length = Number(response.headers.get('content-length'))
    const total = options.expectedSize ?? (Number.isFinite(length) && response.headers.has('content-length') ? offset + length : null)
    const handle = await fs.promises.open(partial, offset === 0 ? 'w' : 'a')
    let written = offset
    try {
      if (!response.body) throw new Error('empty body')
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk)
        written += chunk.length
        options.onBytes?.({ bytes: written, total })
      }
    } catch (error) {
      await handle.close()
      if (options.signal?.aborted) throw error
      if (attempt < maxResumes) continue
      throw new HubError('offline', `${options.what}: the connection was cut ${maxResumes + 1} times. Check the network and try again; the download resumes where it stopped.`, {
        repo: options.repo,
      })
    }
    await handle.close()
    if (options.expectedSize === undefined || written >= options.expectedSize) break
    if (attempt >= maxResumes) break
  }
  const size = fs.statSync(partial).size
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    throw new HubError('integrity', `${options.what}: got ${size} bytes, expected ${options.expectedSize}. Try the download again.`, { repo: options.repo })
  }
  if (options.expectedSha256 && (await sha256Of(partial)) !== options.expectedSha256) {
    fs.rmSync(partial, { force: true })
    throw new HubError('integrity', `${options.what}: the downloaded bytes do not match the file's sha256. The partial file was removed; download it again.`, {
      repo: options.repo,
    })
  }
  fs.renameSync(partial, options.dest)
  return { resumedFrom: firstOffset, requests }
}
