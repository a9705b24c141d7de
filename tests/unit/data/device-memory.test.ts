/** Which memory the memory-fit check compares with: system memory for CPU backends, nvidia-smi's for CUDA. */
import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { deviceMemory, parseNvidiaSmi } from '../../../src-main/engine/device-memory'
import type { EngineInfo } from '../../../src-shared/entities'

const info = (backend: string, device: string): EngineInfo => ({ backend, device, tfjsVersion: '4', ladder: [], precisionNote: '', pid: 1, startedInMs: 1 })
const noSmi = async () => null

describe('deviceMemory', () => {
  it('CPU backends: the system memory', async () => {
    for (const [backend, device] of [['wasm', 'CPU (WebAssembly, SIMD)'], ['cpu', 'CPU (plain JavaScript, slow)'], ['tensorflow', 'CPU (libtensorflow)']]) {
      const memory = await deviceMemory({ state: 'ready', info: info(backend!, device!) }, noSmi)
      expect(memory).toMatchObject({ kind: 'system', backend, totalBytes: os.totalmem() })
      expect(memory.freeBytes).toBeGreaterThan(0)
    }
  })

  it('CUDA: the first GPU from nvidia-smi; other GPUs and a starting engine: unknown', async () => {
    const cuda = await deviceMemory({ state: 'ready', info: info('tensorflow', 'NVIDIA H200 (CUDA)') }, async () => '143771, 140000\n80000, 1\n')
    expect(cuda).toMatchObject({ kind: 'gpu', totalBytes: 143771 * 1024 ** 2, freeBytes: 140000 * 1024 ** 2 })
    expect(await deviceMemory({ state: 'ready', info: info('tensorflow', 'NVIDIA H200 (CUDA)') }, noSmi)).toMatchObject({ kind: 'unknown', totalBytes: null })
    expect(await deviceMemory({ state: 'ready', info: info('webgpu', 'Apple M2 (Metal)') }, noSmi)).toMatchObject({ kind: 'unknown', backend: 'webgpu' })
    expect(await deviceMemory({ state: 'starting' }, noSmi)).toMatchObject({ kind: 'unknown', backend: null })
    expect(parseNvidiaSmi('')).toBeNull()
    expect(parseNvidiaSmi('N/A, N/A')).toBeNull()
  })
})
