/** How exported folders are named when they leave the app (a download, a save dialog). */
export type ExportKind = 'adapter' | 'merged'

/** "<experiment name>-adapter.zip": a file name that is safe on every OS, whatever the experiment is called. */
export function exportZipName(experimentName: string, kind: ExportKind): string {
  const safe = experimentName.normalize('NFC').replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '_').trim().slice(0, 120)
  return `${safe === '' ? 'experiment' : safe}-${kind}.zip`
}

/** Where the web host serves an experiment's exported folder as a ZIP (same token cookie as the page). */
export function exportDownloadPath(experimentId: string, kind: ExportKind): string {
  return `/download/${encodeURIComponent(experimentId)}/${kind}.zip`
}
