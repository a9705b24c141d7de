/**
 * The Electron shell, kept thin: one window, a sandboxed renderer, and a MessagePort that carries the same
 * API router the web host serves. Everything else is the plain-Node app in src-main.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { RPCHandler } from '@orpc/server/message-port'
import { app, BrowserWindow, MessageChannelMain, safeStorage, shell } from 'electron'
import { createRouter } from '../api/router'
import { createApp, type AppServices } from '../app'
import { createTokenStore } from '../hub/token-store'
import { appDataDir } from '../paths'
import { electronDialogs } from './dialogs'

const here = path.dirname(fileURLToPath(import.meta.url))
export const PORT_CHANNEL = 'finetune-studio:port'

let services: AppServices | null = null

function createWindow(handler: RPCHandler<Record<never, never>>): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    title: 'Finetune Studio',
    show: false,
    webPreferences: {
      preload: path.join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  })
  window.once('ready-to-show', () => window.show())
  // Every load gets a fresh port: the previous page's port closes with it.
  window.webContents.on('did-finish-load', () => {
    const { port1, port2 } = new MessageChannelMain()
    void handler.upgrade(port1, { context: {} })
    port1.start()
    window.webContents.postMessage(PORT_CHANNEL, null, [port2])
  })
  // Links open in the user's browser; the app window never navigates away from the app.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl) void window.loadURL(`${devUrl}?transport=electron`)
  else void window.loadFile(path.join(here, '..', 'renderer', 'index.html'), { query: { transport: 'electron' } })
  return window
}

async function start(): Promise<void> {
  const dataDir = appDataDir()
  app.setPath('userData', dataDir)
  await app.whenReady()
  // The HF token the user types is kept encrypted with the OS keychain (HF_TOKEN in the environment still wins).
  const tokens = createTokenStore({ file: path.join(dataDir, 'hf-token.bin'), cipher: safeStorage })
  services = createApp({ dataDir, host: 'electron', tokens, dialogs: electronDialogs(), cipher: safeStorage })
  const handler = new RPCHandler(createRouter(services))
  createWindow(handler)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(handler)
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('will-quit', (event) => {
  if (!services) return
  event.preventDefault()
  const closing = services
  services = null
  void closing.close().finally(() => app.quit())
})

void start()
