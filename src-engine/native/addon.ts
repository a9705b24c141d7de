/**
 * The native kernels (native/, a C++ N-API addon compiled by `npm install` on the machine that runs it).
 * Loading never throws: a missing or broken build is a reason the backend ladder shows, not a crash.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface NativeAddon {
  /** c[b] = op(a[b % batchA]) · op(b[b % batchB]); a M×K (K×M transposed), b K×N (N×K transposed). */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void
  segmentSum(x: Float32Array, segmentIds: Int32Array, out: Float32Array, inner: number, segments: number): void
  /** op codes: native/src/elementwise.h; shapes broadcast like numpy. */
  binary(op: number, a: Float32Array, aShape: Int32Array, b: Float32Array, bShape: Int32Array, out: Float32Array, outShape: Int32Array): void
  unary(op: number, x: Float32Array, out: Float32Array): void
  /** x viewed as [outer, mid, inner], reduced over mid. */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void
  /** dst[dstOffset + Σ i·dstStrides] = src[srcOffset + Σ i·srcStrides] over every index i of shape. */
  copy(src: Float32Array, srcOffset: number, srcStrides: Int32Array, dst: Float32Array, dstOffset: number, dstStrides: Int32Array, shape: Int32Array): void
  /** Fused kernels (native/src/fused.h): float arrays, shapes as rows × cols. */
  geluTanh(x: Float32Array, y: Float32Array): void
  geluTanhGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, rows: number, cols: number, eps: number): void
  layerNormGrad(dy: Float32Array, x: Float32Array, gamma: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, cols: number, eps: number): void
  logSumExpRows(x: Float32Array, lse: Float32Array, rows: number, cols: number): void
  softmaxCrossEntropyGrad(x: Float32Array, lse: Float32Array, scale: Float32Array, dx: Float32Array, labels: Int32Array, rows: number, cols: number): void
  /** hyper: keep (1 − lr·wd), wd, β1, 1 − β1, β2, 1 − β2, eps, step size, √(1 − β2^t); native/src/fused.h. */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, hyper: Float32Array, decoupled: boolean): void
  setThreads(count: number): void
  /** Force the portable scalar matmul (tests compare both paths). */
  setScalar(scalar: boolean): void
  info(): { threads: number; simd: boolean; isa: string }
}

/** Relative to the package folder; written by scripts/build-native.mjs. */
const addonFile = path.join('native', 'build', 'Release', 'finetune_native.node')
const statusFile = path.join('native', 'build', 'status.json')

/** The package folder: the nearest one above this file (source or out/main) that holds native/binding.gyp. */
function findPackageFolder(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (fs.existsSync(path.join(dir, 'native', 'binding.gyp'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

let loaded: { addon: NativeAddon } | { error: string } | null = null

/** The addon, or why it cannot be used (the install's build log summary when the build failed). */
export function loadNativeAddon(): { addon: NativeAddon } | { error: string } {
  loaded ??= load()
  return loaded
}

function load(): { addon: NativeAddon } | { error: string } {
  const root = findPackageFolder()
  if (!root) return { error: 'the native/ folder is not part of this installation' }
  const file = path.join(root, addonFile)
  if (!fs.existsSync(file)) {
    const status = path.join(root, statusFile)
    const why = fs.existsSync(status) ? (JSON.parse(fs.readFileSync(status, 'utf8')) as { reason?: string }).reason : undefined
    return { error: `the native kernels were not built at install${why ? ` (${why})` : ''}; run "npm run build:native" to see why` }
  }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon
    const threads = Number(process.env.FINETUNE_STUDIO_THREADS)
    if (Number.isInteger(threads) && threads >= 1) addon.setThreads(threads)
    return { addon }
  } catch (error) {
    return { error: `native/${addonFile.split(path.sep).slice(1).join('/')} does not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` }
  }
}
