/**
 * Native open and save dialogs for the typed API (HostDialogs), attached to the focused window. Untested
 * here: no Electron binary runs on the build machines; the API around it is tested with a stand-in.
 */
import { BrowserWindow, dialog, type OpenDialogOptions, type SaveDialogOptions } from 'electron'
import type { HostDialogs } from '../dialogs'

const dataFilters = [
  { name: 'Data (CSV, TSV, JSON, JSON Lines, Parquet)', extensions: ['csv', 'tsv', 'json', 'jsonl', 'parquet'] },
  { name: 'All files', extensions: ['*'] },
]

export function electronDialogs(): HostDialogs {
  const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  return {
    async openDataFile() {
      const options: OpenDialogOptions = { properties: ['openFile'], filters: dataFilters }
      const window = parent()
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    async saveFile(suggestedName) {
      const options: SaveDialogOptions = { defaultPath: suggestedName, filters: [{ name: 'ZIP', extensions: ['zip'] }] }
      const window = parent()
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
  }
}
