/**
 * `npm run bench`: training (LoRA, full fine-tuning) and generation throughput and memory of the engine on
 * every backend of the ladder that starts here, against the same models and steps in PyTorch when
 * /usr/bin/python3 has torch (docs: README "Benchmark"; options: options.ts).
 *
 * Each (case, mode, backend) runs in its own process (engine-child.ts) so that its peak RSS is its own; the
 * PyTorch twin runs once per (case, mode), after the first engine run (which writes the LoRA factors'
 * initial values for it). Progress goes to stderr; stdout has the table, or JSON lines with --json.
 * Exit status 1 when a check failed (first loss vs PyTorch, tensor growth or leak) or a run crashed.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchCases, benchInputs, generateShape, loraShape, parameterCount, trainShape, writeCaseModel, type BenchCase } from './cases'
import type { EngineChildAnswer, EngineChildRequest } from './engine-child'
import { BENCH_LR, type BenchMode } from './engine-modes'
import { FUSED_KERNELS_ENV } from '../../src-engine/models/fused-ops'
import { WEBGPU_SOFTWARE_ENV } from '../../src-shared/engine-protocol'
import { parseBenchOptions, type BenchOptions, type Rung } from './options'
import { formatTable, rowChecks, type BenchRow } from './report'
import { blasWarning, probeTorch, runTorchTwin, type TorchAnswer } from './torch-twin'

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`)
const childScript = path.join(import.meta.dirname, 'engine-child.ts')

/** Timed steps when --steps is not given: the 100M cases take seconds to minutes a step on CPU backends. */
function defaultSteps(c: BenchCase, mode: BenchMode): number {
  const small = parameterCount(c) < 20e6
  if (mode === 'generate') return small ? 2 : 1
  return small ? 3 : 2
}

/**
 * Why a combination is left out of a default run (null: it runs). Naming the backend in --backends runs it.
 * `device`: what the backend ran on so far in this run, if it ran.
 */
function skippedByDefault(backend: Rung, device: string | undefined, c: BenchCase, options: BenchOptions): string | null {
  if (options.backendsExplicit || parameterCount(c) < 20e6) return null
  if (backend === 'cpu') return `the plain-JS cpu backend takes minutes a step on ${c.name}; pass --backends cpu --cases ${c.name} to run it`
  if (backend === 'webgpu' && device?.startsWith('software')) return `WebGPU here is ${device}, minutes a step on ${c.name}; pass --backends webgpu --cases ${c.name} to run it`
  return null
}

function runEngineChild(request: EngineChildRequest, options: BenchOptions): EngineChildAnswer {
  // A software WebGPU adapter is measured too (labelled so in `device`); the ladder alone would refuse it.
  const env = { ...process.env, [WEBGPU_SOFTWARE_ENV]: '1', ...(options.unfused ? { [FUSED_KERNELS_ENV]: '0' } : {}) }
  const run = spawnSync(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(request)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  })
  const lastLine = run.stdout?.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(lastLine) as EngineChildAnswer
  } catch {
    return { ok: false, stage: 'run', reason: `the bench child exited with ${run.status ?? run.signal} and no answer` }
  }
}

function firstDiff(a: number[], b: number[]): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

function makeRow(c: BenchCase, mode: BenchMode, backend: Rung, answer: Extract<EngineChildAnswer, { ok: true }>, torch: TorchAnswer | null, fused: boolean): BenchRow {
  const r = answer.result
  const training = mode !== 'generate'
  const row: Omit<BenchRow, 'failures'> = {
    case: c.name, mode, backend, fused, tokens_per_s: r.tokensPerS, torch_tokens_per_s: torch?.tokens_per_s ?? null,
    ratio: torch ? r.tokensPerS / torch.tokens_per_s : null, peak_mb: answer.peakMb, gpu_mb: r.gpuAllocatedMb,
    device: answer.device, ms_per_step: r.msPerStep, cpu_ms_per_step: r.cpuMsPerStep,
    torch_cpu_ms_per_step: torch?.cpu_ms_per_step ?? null, cpu_ratio: torch ? torch.cpu_ms_per_step / r.cpuMsPerStep : null, steps: r.steps, threads: answer.threads, trainable_params: r.trainableParams,
    first_loss: training ? (r.losses[0] ?? null) : null, torch_first_loss: training ? (torch?.losses[0] ?? null) : null,
    last_loss: training ? (r.losses.at(-1) ?? null) : null, torch_last_loss: training ? (torch?.losses.at(-1) ?? null) : null,
    tokens_matching_torch: !training && torch ? firstDiff(r.generated, torch.generated) : null,
    torch_peak_mb: torch?.peak_mb ?? null, torch_threads: torch?.threads ?? null, torch_blas: torch?.blas ?? null,
    tensors_before: r.tensors.beforeTimed, tensors_after: r.tensors.afterTimed, tensors_leaked: r.tensors.end - r.tensors.start,
  }
  return { ...row, failures: rowChecks(row) }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2))
  const torchProbe = options.torch ? probeTorch() : { missing: '--no-torch was given' }
  if ('missing' in torchProbe) progress(`No PyTorch reference: ${torchProbe.missing}. torch_tokens_per_s and ratio are null.`)
  else progress(`PyTorch ${torchProbe.version} on ${options.torchThreads} thread(s) is the reference.`)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-studio-bench-'))
  const rows: BenchRow[] = []
  const backendDown = new Map<Rung, string>()
  const devices = new Map<Rung, string>()
  const crashed: string[] = []
  let blasWarned = false
  try {
    for (const c of options.cases.map((name) => benchCases[name])) {
      progress(`${c.name}: writing the model (${(parameterCount(c) / 1e6).toFixed(1)}M parameters)…`)
      const modelDir = writeCaseModel(c, root)
      const inputsFile = path.join(modelDir, 'inputs.json')
      const inputs = benchInputs(c)
      fs.writeFileSync(inputsFile, JSON.stringify({ ids: [...inputs.ids], prompt: [...inputs.prompt] }))
      for (const mode of options.modes) {
        const steps = options.steps ?? defaultSteps(c, mode)
        const loraInit = path.join(modelDir, 'lora-init.safetensors')
        let torch: TorchAnswer | null | undefined = 'missing' in torchProbe ? null : undefined
        for (const backend of options.backends) {
          const down = backendDown.get(backend)
          const skip = down ?? skippedByDefault(backend, devices.get(backend), c, options)
          if (skip) {
            if (!down) progress(`${c.name} ${mode} ${backend}: skipped: ${skip}`)
            continue
          }
          progress(`${c.name} ${mode} ${backend}: ${options.warmup} warmup + ${steps} timed…`)
          const answer = runEngineChild({ backend, mode, modelDir, inputsFile, loraTargets: c.loraTargets, warmup: options.warmup, steps, dumpLoraTo: fs.existsSync(loraInit) ? null : loraInit }, options)
          if (!answer.ok) {
            if (answer.stage === 'backend') {
              backendDown.set(backend, answer.reason)
              progress(`backend ${backend} skipped: it does not start here: ${answer.reason}`)
            } else {
              crashed.push(`${c.name} ${mode} ${backend}: ${answer.reason.split('\n')[0]}`)
              progress(`${c.name} ${mode} ${backend} FAILED: ${answer.reason}`)
            }
            continue
          }
          devices.set(backend, answer.device)
          if (torch === undefined) {
            progress(`${c.name} ${mode} PyTorch: ${options.warmup} warmup + ${steps} timed…`)
            torch = runTorchTwin({
              modelDir, inputsFile, mode, loraInit: mode === 'lora' ? loraInit : null, loraScale: loraShape.alpha / loraShape.r,
              warmup: options.warmup, steps, threads: options.torchThreads, device: options.torchDevice, lr: BENCH_LR, ...trainShape, newTokens: generateShape.newTokens,
            })
            const warning = blasWarning(torch.blas)
            if (warning && !blasWarned) progress(warning)
            blasWarned ||= warning !== null
          }
          const row = makeRow(c, mode, backend, answer, torch, !options.unfused)
          rows.push(row)
          for (const failure of row.failures) progress(`${c.name} ${mode} ${backend} CHECK FAILED: ${failure}`)
          if (options.save) fs.appendFileSync(options.save, `${JSON.stringify(row)}\n`)
          if (options.output === 'json') process.stdout.write(`${JSON.stringify(row)}\n`)
          else progress(`${c.name} ${mode} ${backend}: ${row.tokens_per_s.toFixed(1)} tokens/s${row.ratio === null ? '' : `, ${row.ratio.toFixed(3)}× PyTorch`}, peak ${row.peak_mb} MB`)
        }
      }
    }
  } finally {
    if (options.keep) progress(`models kept in ${root}`)
    else fs.rmSync(root, { recursive: true, force: true })
  }
  if (options.output !== 'json') {
    process.stdout.write(`${formatTable(rows, options.output)}\n`)
    if (crashed.length > 0) process.stdout.write(`\nDid not run to the end:\n${crashed.map((line) => `- ${line}`).join('\n')}\n`)
  }
  const failed = rows.filter((r) => r.failures.length > 0).length
  if (failed + crashed.length > 0) progress(`${failed} case(s) failed a check and ${crashed.length} crashed.`)
  return failed + crashed.length > 0 ? 1 : 0
}

try {
  process.exitCode = await main()
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 2
}
