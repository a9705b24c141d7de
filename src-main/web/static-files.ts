/** Serving the built renderer from disk: content types, no path traversal, SPA fallback to index.html. */
import fs from 'node:fs'
import path from 'node:path'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

export interface StaticFile {
  file: string
  contentType: string
}

/** The file to serve for a URL path, or undefined when nothing (not even index.html) exists. */
export function resolveStaticFile(root: string, urlPath: string): StaticFile | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  const resolvedRoot = path.resolve(root)
  const candidate = path.resolve(resolvedRoot, `.${path.posix.normalize(`/${decoded}`)}`)
  const inside = candidate === resolvedRoot || candidate.startsWith(resolvedRoot + path.sep)
  const file =
    inside && fs.existsSync(candidate) && fs.statSync(candidate).isFile() ? candidate : path.join(resolvedRoot, 'index.html')
  if (!fs.existsSync(file)) return undefined
  return { file, contentType: contentTypes[path.extname(file)] ?? 'application/octet-stream' }
}
