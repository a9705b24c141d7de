/**
 * GET /download/<experiment id>/<adapter|merged>.zip on the web host: the exported folder as a stored ZIP,
 * streamed from disk (weights can be gigabytes: they never pass through the WebSocket API). The host has
 * already checked the token; the folder is resolved here from the experiment id, never from a path.
 */
import type http from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { AppServices } from '../app'
import { exportedFolder } from '../api/experiment-artifacts'
import { UserError } from '../api/errors'
import { exportZipName } from '../../src-shared/exports'
import { folderEntries, zipSize, zipStream, type ZipEntry } from './zip-stream'

export const DOWNLOAD_PATH = /^\/download\/([\w-]+)\/(adapter|merged)\.zip$/

/** Answer a download request whose path matched DOWNLOAD_PATH. */
export async function serveExportZip(
  app: Pick<AppServices, 'history' | 'layout'>,
  match: RegExpExecArray,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  baseHeaders: http.OutgoingHttpHeaders,
): Promise<void> {
  const [, id, kind] = match as unknown as [string, string, 'adapter' | 'merged']
  let name: string
  let entries: ZipEntry[]
  try {
    const dir = exportedFolder(app, id, kind)
    name = exportZipName(app.history.experiments.get(id)!.name, kind)
    entries = folderEntries(dir, name.replace(/\.zip$/, ''))
  } catch (error) {
    // A missing export is the user's to fix (the message says how); anything else (a folder that cannot
    // be read) must not take the host down with it.
    const missing = error instanceof UserError
    response.writeHead(missing ? 404 : 500, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
    response.end(`${missing ? error.message : `The export could not be read: ${error instanceof Error ? error.message : String(error)}`}\n`)
    return
  }
  response.writeHead(200, {
    ...baseHeaders,
    'Content-Type': 'application/zip',
    'Content-Length': zipSize(entries),
    // RFC 6266: an ASCII fallback and the UTF-8 name (experiment names may be Japanese).
    'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  try {
    await pipeline(zipStream(entries), response)
  } catch {
    // The client went away or a file changed mid-way: the length no longer matches, so the browser
    // reports a failed download; nothing else to do.
    response.destroy()
  }
}
