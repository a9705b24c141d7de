/** `finetune-studio forward` and `generate` end to end (a child process), against the transformers reference. */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fixtureRoot, maxAbsDiff, type Reference } from './helpers'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../../bin/finetune-studio.mjs', import.meta.url))
const cli = async (...args: string[]) => (await run(process.execPath, [bin, ...args], { env: { ...process.env, FINETUNE_STUDIO_BACKEND: 'cpu' } })).stdout

describe('CLI', () => {
  const ref = JSON.parse(fs.readFileSync(path.join(fixtureRoot, 'ref', 'gpt_neox.json'), 'utf8')) as Reference
  const model = path.join(fixtureRoot, 'models', 'gpt_neox')

  it('forward --json prints logits per position and the loss', async () => {
    const ids = ref.inputs[0]!.input_ids
    const out = JSON.parse(await cli('forward', '--model', model, '--ids', ids.join(' '), '--json')) as { logits: number[][]; loss: number }
    expect(maxAbsDiff(out.logits.flat(), ref.forward[0]!.logits.flat())).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(out.loss - ref.forward[0]!.loss) / ref.forward[0]!.loss).toBeLessThanOrEqual(1e-5)
  })

  it('generate --prompt --no-eos --json prints the new ids and text', async () => {
    const out = JSON.parse(await cli('generate', '--model', model, '--prompt', ref.inputs[1]!.text, '--max-new-tokens', '8', '--no-eos', '--json')) as { ids: number[]; text: string }
    expect(out.ids).toEqual(ref.generate[1]!.new_tokens) // includes <unk> and <eos>: --no-eos generates through them
    // with EOS on, generation stops at the first <eos> (id 2), included in ids
    const stopped = JSON.parse(await cli('generate', '--model', model, '--ids', ref.inputs[1]!.input_ids.join(' '), '--max-new-tokens', '8', '--json')) as { ids: number[] }
    const firstEos = ref.generate[1]!.new_tokens.indexOf(2)
    expect(stopped.ids).toEqual(ref.generate[1]!.new_tokens.slice(0, firstEos + 1))
  })
})
