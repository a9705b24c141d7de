/** `finetune-studio tokenize` on model folders, checked against the reference libraries' goldens. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { UsageError } from '../../../src-main/commands/command'
import { commands } from '../../../src-main/commands'
import { corpus, FIXTURES, readJson } from './helpers'

const tokenize = commands.find((c) => c.name === 'tokenize')!

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
  try {
    const code = await tokenize.run(argv)
    return { code, out }
  } finally {
    spy.mockRestore()
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenize-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('finetune-studio tokenize', () => {
  it('--json on a SentencePiece-only folder: one line per input line, the C++ library\'s ids', async () => {
    const dir = path.join(tmp, 'spm')
    fs.mkdirSync(dir)
    fs.copyFileSync(path.join(FIXTURES, 'spm-unigram-bytes.model'), path.join(dir, 'spiece.model'))
    const lines = corpus.filter((c) => !c.includes('\n') && !c.includes('\r')).slice(0, 12)
    const file = path.join(tmp, 'input.txt')
    fs.writeFileSync(file, lines.join('\n') + '\n')
    const golden = readJson<{ ids: number[][] }>(path.join(FIXTURES, 'spm-unigram-bytes.golden.json'))
    const { code, out } = await run(['--model', dir, '--file', file, '--json'])
    expect(code).toBe(0)
    const rows = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { ids: number[]; tokens: string[] })
    expect(rows.map((r) => r.ids)).toEqual(lines.map((l) => golden.ids[corpus.indexOf(l)]))
    expect(rows[0]!.tokens.length).toBe(rows[0]!.ids.length)
  })

  it('--special applies the post-processor of a tokenizer.json folder', async () => {
    const dir = path.join(tmp, 'bert')
    fs.mkdirSync(dir)
    fs.copyFileSync(path.join(FIXTURES, 'wordpiece-bert.tokenizer.json'), path.join(dir, 'tokenizer.json'))
    const golden = readJson<{ ids: number[][]; ids_special: number[][] }>(path.join(FIXTURES, 'wordpiece-bert.golden.json'))
    const plain = await run(['--model', dir, '--text', corpus[0]!, '--json'])
    const special = await run(['--model', dir, '--text', corpus[0]!, '--json', '--special'])
    expect(JSON.parse(plain.out).ids).toEqual(golden.ids[0])
    expect(JSON.parse(special.out).ids).toEqual(golden.ids_special[0])
    const text = await run(['--model', dir, '--text', 'Hello, world'])
    expect(text.out).toBe('hello , world\n')
  })

  it('explains what is missing', async () => {
    await expect(tokenize.run(['--text', 'x'])).rejects.toThrow(UsageError)
    await expect(tokenize.run(['--model', tmp, '--text', 'x', '--file', 'y'])).rejects.toThrow(/exactly one/)
    await expect(tokenize.run(['--model', path.join(tmp, 'empty-nothing'), '--text', 'x'])).rejects.toThrow(/No such folder/)
  })
})
