import fs from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { PytorchWeights } from '../../../src-engine/weights/pytorch/bin-weights'
import { PytorchCheckpoint } from '../../../src-engine/weights/pytorch/checkpoint'
import { toFloat32 } from '../../../src-engine/weights/stored-tensor'
import { expected, expectSameTensors, fixture, removeTempDirs, tempDir } from './fixtures'

afterAll(removeTempDirs)

describe('PyTorch zip checkpoints made by torch.save load exactly as torch reads them', () => {
  it.each(['fp32', 'fp16', 'bf16', 'protocol4', 'deflated', 'parameters'])('%s state dict: names, dtypes, shapes and bytes', (name) => {
    expectSameTensors(new PytorchCheckpoint(fixture(name)), expected(name))
  })

  it('keeps the dtypes of the file (16-bit stays 16-bit; int and bool buffers stay so)', () => {
    const fp16 = new PytorchCheckpoint(fixture('fp16'))
    expect(fp16.get('proj.weight').dtype).toBe('F16')
    expect(new PytorchCheckpoint(fixture('bf16')).get('proj.weight').dtype).toBe('BF16')
    expect(fp16.get('mask').dtype).toBe('BOOL')
    expect(fp16.get('positions').dtype).toBe('I32')
    const steps = fp16.get('bn.num_batches_tracked')
    expect(steps.dtype).toBe('I64')
    expect(steps.shape).toEqual([])
    expect(new DataView(steps.bytes.buffer, steps.bytes.byteOffset, 8).getBigInt64(0, true)).toBe(12345678901n)
  })

  it('materialises non-contiguous views C-contiguous: transposed, narrowed (storage offset), stepped, permuted, broadcast, 0-d, empty', () => {
    const checkpoint = new PytorchCheckpoint(fixture('strided'))
    expectSameTensors(checkpoint, expected('strided'))
    expect(checkpoint.get('transposed').shape).toEqual([6, 4])
    expect(checkpoint.get('empty').bytes.byteLength).toBe(0)
    expect(Array.from(toFloat32(checkpoint.get('broadcast')))).toEqual([0, 1, 2, 0, 1, 2])
    expect(Array.from(toFloat32(checkpoint.get('scalar')))).toEqual([2.5])
  })

  it('reads entries that share one storage (tied weights, row views) each correctly', () => {
    const checkpoint = new PytorchCheckpoint(fixture('shared'))
    expectSameTensors(checkpoint, expected('shared'))
    const embedding = toFloat32(checkpoint.get('transformer.wte.weight'))
    expect(Array.from(toFloat32(checkpoint.get('lm_head.weight')))).toEqual(Array.from(embedding))
    expect(Array.from(toFloat32(checkpoint.get('row')))).toEqual(Array.from(embedding.subarray(12, 16)))
  })

  it.each([
    ['nested-state-dict', 'state_dict'],
    ['nested-model', 'model'],
  ])('unwraps %s to the state dict under "%s"', (name, key) => {
    const checkpoint = new PytorchCheckpoint(fixture(name))
    expect(checkpoint.wrapperPath).toEqual([key])
    expectSameTensors(checkpoint, expected(name))
  })

  it('survives hostile structure: a dict that contains itself, and shared sub-dicts with 2^60 paths', () => {
    const looped = new PytorchCheckpoint(fixture('cyclic'))
    expectSameTensors(looped, expected('cyclic'))
    expect(looped.skipped).toEqual(['self'])
    const started = performance.now()
    const bomb = new PytorchCheckpoint(fixture('dag-bomb'))
    expect(performance.now() - started).toBeLessThan(2000)
    expectSameTensors(bomb, expected('dag-bomb'))
    expect(bomb.skipped).toEqual(['junk'])
  })

  it('joins shards listed in pytorch_model.bin.index.json', () => {
    const files = [fixture('sharded', 'pytorch_model-00001-of-00002.bin'), fixture('sharded', 'pytorch_model-00002-of-00002.bin')]
    const weights = new PytorchWeights(files, fixture('sharded', 'pytorch_model.bin.index.json'))
    expectSameTensors(weights, expected('sharded'))
  })

  it('refuses the legacy (pre-zip) format with a concrete conversion command', () => {
    const file = fixture('legacy')
    let message = ''
    try {
      new PytorchCheckpoint(file)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain(file)
    expect(message).toContain('unsupported legacy PyTorch format')
    expect(message).toContain(`python3 -c "import torch; torch.save(torch.load('${file}', map_location='cpu', weights_only=True), '${file}')"`)
  })

  it('says what is wrong with files that are not checkpoints at all', () => {
    const dir = tempDir()
    const pointer = `${dir}/pointer.bin`
    fs.writeFileSync(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n')
    expect(() => new PytorchCheckpoint(pointer)).toThrow(/Git LFS pointer/)
    const truncated = `${dir}/truncated.bin`
    fs.writeFileSync(truncated, fs.readFileSync(fixture('fp32')).subarray(0, 2000))
    expect(() => new PytorchCheckpoint(truncated)).toThrow(/truncated\.bin: cannot read this PyTorch checkpoint/)
  })
})
