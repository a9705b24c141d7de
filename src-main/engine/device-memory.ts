/**
 * How much memory training can use on the engine's device, for the memory-fit check before launch. CPU
 * backends (wasm, cpu, or any whose device is the CPU) use system memory; a CUDA device reports its own
 * through nvidia-smi; other GPUs (WebGPU does not expose memory size) are unknown, and the form says so.
 */
import { execFile } from 'node:child_process'
import os from 'node:os'
import type { DeviceMemory, EngineStatus } from '../../src-shared/entities'

/** nvidia-smi --query-gpu=memory.total,memory.free --format=csv,noheader,nounits: MiB per GPU; the first GPU. */
export function parseNvidiaSmi(output: string): { totalBytes: number; freeBytes: number } | null {
  const [total, free] = (output.trim().split('\n')[0] ?? '').split(',').map((v) => Number(v.trim()))
  return total && free !== undefined && Number.isFinite(total) && Number.isFinite(free) ? { totalBytes: total * 1024 ** 2, freeBytes: free * 1024 ** 2 } : null
}

function nvidiaSmi(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=memory.total,memory.free', '--format=csv,noheader,nounits'], { timeout: 5000 }, (error, stdout) => resolve(error ? null : stdout))
  })
}

export async function deviceMemory(status: EngineStatus, query: () => Promise<string | null> = nvidiaSmi): Promise<DeviceMemory> {
  if (status.state !== 'ready') return { kind: 'unknown', backend: null, device: null, totalBytes: null, freeBytes: null }
  const { backend, device } = status.info
  if (backend === 'wasm' || backend === 'cpu' || /^CPU\b/i.test(device)) {
    return { kind: 'system', backend, device, totalBytes: os.totalmem(), freeBytes: os.freemem() }
  }
  const cuda = /CUDA|NVIDIA/i.test(device) ? parseNvidiaSmi((await query()) ?? '') : null
  if (cuda) return { kind: 'gpu', backend, device, ...cuda }
  return { kind: 'unknown', backend, device, totalBytes: null, freeBytes: null }
}
