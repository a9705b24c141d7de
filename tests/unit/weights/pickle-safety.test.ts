/**
 * The unpickler executes nothing: the malicious fixtures are real torch zips whose pickle runs
 * `touch /tmp/finetune-studio-pickle-marker-*` under a plain torch.load (make_fixtures.py proves that
 * with torch itself). Here they must be refused, naming the file and the global, and the marker must not appear.
 */
import fs from 'node:fs'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { openModelWeights } from '../../../src-engine/weights'
import { PytorchCheckpoint } from '../../../src-engine/weights/pytorch/checkpoint'
import { unpickle } from '../../../src-engine/weights/pytorch/pickle'
import { findTorchGlobal } from '../../../src-engine/weights/pytorch/torch-globals'
import { copyFixture, fixture, tempDir, removeTempDirs } from './fixtures'

afterAll(removeTempDirs)

const cases = [
  ['malicious-os-system', 'os.system', '/tmp/finetune-studio-pickle-marker-os'],
  ['malicious-posix-system', 'posix.system', '/tmp/finetune-studio-pickle-marker-posix'],
  ['malicious-builtins-eval', 'builtins.eval', '/tmp/finetune-studio-pickle-marker-eval'],
] as const

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the load to fail')
}

describe('malicious checkpoints are refused and never run', () => {
  beforeEach(() => {
    for (const [, , marker] of cases) fs.rmSync(marker, { force: true })
  })

  it.each(cases)('%s: refused, naming the file and %s; the marker file is never created', (name, global, marker) => {
    const file = fixture(name)
    const message = messageOf(() => new PytorchCheckpoint(file))
    expect(message).toContain(`${file}: refused to load: it calls ${global}, which a weights file never needs`)
    expect(fs.existsSync(marker)).toBe(false)
  })

  it.each(cases)('%s through openModelWeights: refused before anything is written', (name, global, marker) => {
    const dir = copyFixture(name, tempDir())
    const cacheDir = tempDir()
    const message = messageOf(() => openModelWeights(dir, { cacheDir }))
    expect(message).toContain('pytorch_model.bin: refused to load')
    expect(message).toContain(global)
    expect(fs.readdirSync(dir)).toEqual(['pytorch_model.bin'])
    expect(fs.readdirSync(cacheDir)).toEqual([])
    expect(fs.existsSync(marker)).toBe(false)
  })
})

/** Protocol-2 pickle bytes for `module.name(arg)` via GLOBAL, or STACK_GLOBAL (protocol 4) when `stack`. */
function callPickle(module: string, name: string, arg: string, stack = false): Uint8Array {
  const str = (s: string): number[] => [0x58, ...new Uint8Array(new Uint32Array([s.length]).buffer), ...Buffer.from(s)]
  const global = stack ? [...str(module), ...str(name), 0x93] : [0x63, ...Buffer.from(`${module}\n${name}\n`)]
  return Uint8Array.from([0x80, stack ? 4 : 2, ...global, ...str(arg), 0x85, 0x52, 0x2e])
}

const hooks = { findGlobal: (m: string, n: string) => findTorchGlobal('test.bin', m, n), persistentLoad: () => null }

describe('the pickle VM', () => {
  it.each([
    ['subprocess', 'Popen'],
    ['subprocess', 'check_output'],
    ['builtins', 'exec'],
    ['__builtin__', 'eval'],
    ['os', 'popen'],
    ['nt', 'system'],
    ['torch', 'load'],
    ['numpy.core.multiarray', '_reconstruct'],
    ['runpy', '_run_code'],
  ])('refuses %s.%s by GLOBAL and by STACK_GLOBAL', (module, name) => {
    for (const stack of [false, true]) {
      expect(() => unpickle(callPickle(module, name, 'x', stack), hooks)).toThrow(`test.bin: refused to load: it calls ${module}.${name}`)
    }
  })

  it('names tensor kinds it does not read instead of calling them malicious', () => {
    const sparse = Uint8Array.from([0x80, 0x02, 0x63, ...Buffer.from('torch._utils\n_rebuild_sparse_tensor\n'), 0x2e])
    expect(() => unpickle(sparse, hooks)).toThrow('test.bin: cannot load: it contains a sparse tensor (torch._utils._rebuild_sparse_tensor)')
  })

  it('refuses opcodes that name code by other routes (INST, OBJ, EXT*)', () => {
    const inst = Uint8Array.from([0x80, 0x02, 0x28, 0x69, ...Buffer.from('os\nsystem\n'), 0x2e])
    expect(() => unpickle(inst, hooks)).toThrow(/opcode INST is not allowed/)
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x82, 0x01, 0x2e]), hooks)).toThrow(/EXT1/)
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x28, 0x6f, 0x2e]), hooks)).toThrow(/OBJ/)
  })

  it('calls only allowed callables: REDUCE on a storage type or a string is an error, not a call', () => {
    const reduceOnStorage = Uint8Array.from([0x80, 0x02, 0x63, ...Buffer.from('torch\nFloatStorage\n'), 0x29, 0x52, 0x2e])
    expect(() => unpickle(reduceOnStorage, hooks)).toThrow(/REDUCE on something that is not an allowed callable/)
  })

  it('reads plain data as CPython pickles it (protocols 2 and 4): ints incl. 2**70, floats, str, bytes, tuples, dicts', () => {
    // pickle.dumps({'a': [1, -2, 3.5, 'é', 2**70, (True, False)], 'b': None, 7: b'\x00\xff'}, protocol=2 / 4)
    const p2 =
      '80027d71002858010000006171015d7102284b014afeffffff47400c0000000000005802000000c3a971038a0900000000000000004088898671046558010000006271054e4b07635f636f646563730a656e636f64650a7106580300000000c3bf710758060000006c6174696e31710886710952710a752e'
    const p4 = '8004953d000000000000007d94288c0161945d94284b014afeffffff47400c0000000000008c02c3a9948a0900000000000000004088898694658c0162944e4b07430200ff94752e'
    const want = new Map<unknown, unknown>([
      ['a', [1, -2, 3.5, 'é', 2n ** 70n, [true, false]]],
      ['b', null],
      [7, Uint8Array.from([0, 255])],
    ])
    for (const hex of [p2, p4]) expect(unpickle(Buffer.from(hex, 'hex'), hooks)).toEqual(want)
  })

  it('fails cleanly on truncated or malformed input', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x58, 0xff, 0xff]), hooks)).toThrow(/truncated pickle/)
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x2e]), hooks)).toThrow(/malformed stack/)
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x68, 0x05, 0x2e]), hooks)).toThrow(/memo entry 5/)
  })
})
