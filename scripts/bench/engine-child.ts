/**
 * One (backend, case, mode) of the bench in its own process, so that its peak RSS is its own:
 *   tsx scripts/bench/engine-child.ts '<EngineChildRequest as JSON>'
 * Prints one JSON line (EngineChildAnswer) on stdout; progress goes to stderr.
 */
import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { chooseBackend } from '../../src-engine/backend'
import { backendChoices } from '../../src-shared/engine-protocol'
import { generateShape, trainShape } from './cases'
import { benchModes, runMode, type ModeResult } from './engine-modes'

export const EngineChildRequest = z.object({
  backend: z.enum(backendChoices),
  mode: z.enum(benchModes),
  modelDir: z.string(),
  inputsFile: z.string(),
  loraTargets: z.array(z.string()),
  warmup: z.number().int().nonnegative(),
  steps: z.number().int().positive(),
  dumpLoraTo: z.string().nullable(),
})
export type EngineChildRequest = z.infer<typeof EngineChildRequest>

export type EngineChildAnswer =
  | { ok: true; device: string; result: ModeResult; peakMb: number; threads: number | null }
  | { ok: false; stage: 'backend' | 'run'; reason: string }

export const BenchInputs = z.object({ ids: z.array(z.number().int()), prompt: z.array(z.number().int()) })

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024) // maxRSS is in KiB
}

async function main(): Promise<EngineChildAnswer> {
  const request = EngineChildRequest.parse(JSON.parse(process.argv[2] ?? '{}'))
  let device: string
  try {
    device = (await chooseBackend(request.backend)).device
  } catch (error) {
    return { ok: false, stage: 'backend', reason: error instanceof Error ? error.message : String(error) }
  }
  try {
    const inputs = BenchInputs.parse(JSON.parse(fs.readFileSync(request.inputsFile, 'utf8')))
    const result = await runMode({ ...request, ...trainShape, newTokens: generateShape.newTokens, ids: Int32Array.from(inputs.ids), prompt: inputs.prompt })
    // wasm runs without threads in Node and plain JS is one thread; other backends keep their own pools
    // (null: unknown here; compare them with PyTorch on as many threads, --torch-threads).
    const threads = ['wasm', 'cpu'].includes(tf.getBackend()) ? 1 : null
    return { ok: true, device, result, peakMb: peakRssMb(), threads }
  } catch (error) {
    return { ok: false, stage: 'run', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
}

if (process.argv[1]?.endsWith('engine-child.ts')) {
  const answer = await main()
  process.stdout.write(`${JSON.stringify(answer)}\n`)
  process.exit(0) // Dawn (WebGPU) keeps the event loop alive
}
