/** Shared helpers for the weights tests: the committed PyTorch fixtures and exact tensor comparison. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { SafetensorsFile } from '../../../src-engine/weights/safetensors'
import type { TensorSource } from '../../../src-engine/weights/stored-tensor'

/** Made by tests/fixtures/pytorch/make_fixtures.py with real PyTorch (1.13); expected.safetensors is torch's own bytes. */
export const FIXTURES = path.resolve(__dirname, '../../fixtures/pytorch')

export function fixture(name: string, file = 'pytorch_model.bin'): string {
  return path.join(FIXTURES, name, file)
}

export function expected(name: string): SafetensorsFile {
  return new SafetensorsFile(fixture(name, 'expected.safetensors'))
}

/** Same names, dtypes, shapes and bytes. */
export function expectSameTensors(actual: TensorSource, reference: TensorSource): void {
  expect([...actual.names()].sort()).toEqual([...reference.names()].sort())
  for (const name of reference.names()) {
    const a = actual.get(name)
    const b = reference.get(name)
    expect({ name, dtype: a.dtype, shape: a.shape }).toEqual({ name, dtype: b.dtype, shape: b.shape })
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)), `bytes of ${name}`).toBe(0)
  }
}

/** A scratch copy of a fixture folder (conversion writes next to the weights; the fixtures stay untouched). */
export function copyFixture(name: string, tmp: string): string {
  const dir = path.join(tmp, name)
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true })
  fs.rmSync(path.join(dir, 'expected.safetensors'), { force: true })
  return dir
}

const made: string[] = []

/** A fresh temporary folder; test files remove them with afterAll(removeTempDirs). */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-weights-'))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}
