/**
 * What the fused kernels save, counted rather than timed: the kernels one training step dispatches and the
 * bytes they write, with the fused kernels and with them off (the composed ops), on a bench case.
 *   tsx scripts/bench/kernel-count.ts [backend=native] [case=gpt-5m]
 * On a GPU each kernel is a dispatch and each byte written is memory traffic, the costs fusing removes; a
 * CPU-only machine cannot time a GPU, but it can count them (the graph is the same on every backend that has
 * the kernels). Prints one JSON line: per mode, { fused, unfused } each with kernels (views such as Reshape
 * left out), the MB they write and the most frequent kernels.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../../src-engine/backend'
import { setFusedKernelsEnabled } from '../../src-engine/models/fused-ops'
import { backendChoices, WEBGPU_SOFTWARE_ENV, type BackendChoice } from '../../src-shared/engine-protocol'
import { benchCases, benchInputs, caseNames, trainShape, writeCaseModel, type CaseName } from './cases'
import { prepareTraining } from './engine-modes'

/** Kernels that move no data on a GPU: views and tfjs's customGrad wrapper. */
const noDispatch = new Set(['Identity', 'Reshape', 'forward'])

interface StepCount {
  /** Kernels run, views excepted: dispatches on a GPU. */
  kernels: number
  /** Bytes those kernels wrote. */
  writtenMb: number
  top: Record<string, number>
}

async function countStep(mode: 'lora' | 'full', modelDir: string, c: (typeof benchCases)[CaseName]): Promise<StepCount> {
  const training = await prepareTraining({ mode, modelDir, loraTargets: c.loraTargets, ids: benchInputs(c).ids, ...trainShape, dumpLoraTo: null })
  await training.step() // optimizer slots now exist: the profiled step is a steady one
  let loss = 0
  const profile = await tf.profile(async () => {
    loss = await training.step()
    return tf.scalar(loss)
  })
  training.dispose()
  const byName: Record<string, number> = {}
  let bytes = 0
  let kernels = 0
  for (const k of profile.kernels) {
    if (noDispatch.has(k.name)) continue
    kernels += 1
    byName[k.name] = (byName[k.name] ?? 0) + 1
    for (const shape of k.outputShapes) bytes += 4 * (shape ?? []).reduce((a, b) => a * b, 1)
  }
  const top = Object.fromEntries(Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 12))
  return { kernels, writtenMb: Math.round(bytes / 1e5) / 10, top }
}

async function main(): Promise<unknown> {
  const backend = (process.argv[2] ?? 'native') as BackendChoice
  const name = (process.argv[3] ?? 'gpt-5m') as CaseName
  if (!backendChoices.includes(backend)) throw new Error(`backend must be one of ${backendChoices.join(', ')}`)
  if (!caseNames.includes(name)) throw new Error(`case must be one of ${caseNames.join(', ')}`)
  process.env[WEBGPU_SOFTWARE_ENV] = '1'
  const { device } = await chooseBackend(backend)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-count-'))
  try {
    const c = benchCases[name]
    const modelDir = writeCaseModel(c, root)
    const out: Record<string, { fused: StepCount; unfused: StepCount }> = {}
    for (const mode of ['lora', 'full'] as const) {
      setFusedKernelsEnabled(true)
      const fused = await countStep(mode, modelDir, c)
      setFusedKernelsEnabled(false)
      const unfused = await countStep(mode, modelDir, c)
      out[mode] = { fused, unfused }
    }
    return { backend: tf.getBackend(), device, case: name, ...out }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const answer = await main().catch((error: unknown) => ({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
process.stdout.write(`${JSON.stringify(answer)}\n`)
process.exit(0) // Dawn keeps the event loop alive
