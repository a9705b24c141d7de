/**
 * Save an experiment's exported adapter or merged model as a ZIP where the user chooses (the desktop app's
 * save dialog), with byte progress; the web host serves the same ZIP over HTTP instead (web/export-download).
 */
import fs from 'node:fs'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { exportZipName, type ExportKind } from '../../src-shared/exports'
import type { AppServices } from '../app'
import { requireDialogs } from '../dialogs'
import { streamEvents } from '../hub/service'
import { folderEntries, zipSize, zipStream } from '../web/zip-stream'
import { exportedFolder } from './experiment-artifacts'

export interface SaveProgress {
  bytes: number
  total: number
  /** Where it was saved: on the last event only. */
  saved?: string
}

export async function* saveExportZip(app: Pick<AppServices, 'history' | 'layout' | 'dialogs'>, id: string, kind: ExportKind, signal?: AbortSignal): AsyncGenerator<SaveProgress> {
  const dir = exportedFolder(app, id, kind)
  const name = exportZipName(app.history.experiments.get(id)!.name, kind)
  const target = await requireDialogs(app.dialogs).saveFile(name)
  if (!target) return // cancelled: no events
  const entries = folderEntries(dir, name.replace(/\.zip$/, ''))
  const total = zipSize(entries)
  // Written beside the target first: a cancelled or failed save never leaves a truncated archive under its name.
  const partial = `${target}.part`
  yield* streamEvents<SaveProgress, void>(async (emit) => {
    let bytes = 0
    let last = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length
        if (Date.now() - last > 100) {
          last = Date.now()
          emit({ bytes, total })
        }
        done(null, chunk)
      },
    })
    try {
      await pipeline(zipStream(entries), counter, fs.createWriteStream(partial), { signal })
      fs.renameSync(partial, target)
    } catch (error) {
      fs.rmSync(partial, { force: true })
      throw error
    }
  })
  yield { bytes: total, total, saved: target }
}
