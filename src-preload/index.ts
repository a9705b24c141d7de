/**
 * The preload forwards the one MessagePort that carries the API from the main process to the page.
 * It exposes nothing else: no Node, no ipcRenderer, no globals.
 */
import { ipcRenderer } from 'electron'

ipcRenderer.on('finetune-studio:port', (event) => {
  window.postMessage('finetune-studio:port', '*', event.ports)
})
