import path from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The Electron main process and the engine children it forks (out/main/worker.js, inference-worker.js).
        input: {
          index: path.join(root, 'src-main/electron/main.ts'),
          worker: path.join(root, 'src-engine/worker.ts'),
          'inference-worker': path.join(root, 'src-engine/inference-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot be an ES module.
      rollupOptions: {
        input: { index: path.join(root, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.join(root, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: path.join(root, 'out/renderer'),
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: path.join(root, 'src-renderer/index.html') },
    },
  },
})
