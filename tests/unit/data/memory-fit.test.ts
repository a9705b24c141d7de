/**
 * The memory-fit estimate against hand-computed numbers. Parameter counts are the published totals of real
 * models (model.num_parameters() in transformers): GPT-2 small, Pythia-70m, TinyLlama-1.1B.
 */
import { describe, expect, it } from 'vitest'
import { estimateMemory, loraParameterCount, modelShape, parameterCount } from '../../../src-shared/memory-fit'

const gpt2 = { model_type: 'gpt2', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 }
const pythia70m = { model_type: 'gpt_neox', vocab_size: 50304, hidden_size: 512, num_hidden_layers: 6, num_attention_heads: 8, intermediate_size: 2048, max_position_embeddings: 2048 }
const tinyLlama = {
  model_type: 'llama',
  vocab_size: 32000,
  hidden_size: 2048,
  num_hidden_layers: 22,
  num_attention_heads: 32,
  num_key_value_heads: 4,
  intermediate_size: 5632,
  tie_word_embeddings: false,
}

describe('parameter counts', () => {
  it('equal the published totals', () => {
    expect(parameterCount(modelShape(gpt2))).toBe(124_439_808)
    expect(parameterCount(modelShape(pythia70m))).toBe(70_426_624)
    expect(parameterCount(modelShape(tinyLlama))).toBe(1_100_048_384)
  })

  it('LoRA: r·(in+out) per targeted linear layer', () => {
    // GPT-2: c_attn 4·(768+2304) + attn.c_proj 4·(768+768) + c_fc 4·(768+3072) + mlp.c_proj 4·(3072+768) = 49 152 per layer.
    expect(loraParameterCount(modelShape(gpt2), 4)).toBe(49_152 * 12)
    // TinyLlama (GQA: k/v out 256): q 16 384 + k 9 216 + v 9 216 + o 16 384 + gate/up/down 3·30 720 = 143 360 per layer.
    expect(loraParameterCount(modelShape(tinyLlama), 4)).toBe(143_360 * 22)
    expect(loraParameterCount(modelShape(tinyLlama), 4, 'q_proj, v_proj')).toBe((16_384 + 9_216) * 22)
  })

  it('an unknown family is a clear error', () => {
    expect(() => modelShape({ model_type: 'bert' })).toThrow(/model_type "bert" is not a family/)
  })
})

describe('memory estimate', () => {
  const base = { config: gpt2, dtype: 'float32' as const, lora: true, loraR: 4, batchSize: 4, maxLength: 256, gradientCheckpointing: false }

  it('GPT-2 small, float32, LoRA r=4, batch 4, 256 tokens: each part by hand', () => {
    const e = estimateMemory(base)
    expect(e.parameters).toBe(124_439_808)
    expect(e.trainableParameters).toBe(589_824)
    expect(e.breakdown.weights).toBe(124_439_808 * 4 + 589_824 * 4) // frozen float32 + adapters in float32
    expect(e.breakdown.gradients).toBe(589_824 * 4)
    expect(e.breakdown.optimizer).toBe(589_824 * 8) // AdamW: two float32 moments
    // Per layer: s·b·h·(34 + 5·a·s/h) · 4/2 = 256·4·768·(34 + 20)·2 = 84 934 656; 12 layers.
    expect(e.breakdown.activations).toBe(84_934_656 * 12)
    expect(e.breakdown.logits).toBe(4 * 256 * 50257 * 4 * 2)
    const sum = 500_118_528 + 2_359_296 + 4_718_592 + 1_019_215_872 + 411_705_344
    expect(e.breakdown.overhead).toBeCloseTo(sum * 0.1, 3)
    expect(e.total).toBeCloseTo(sum * 1.1, 3)
    expect(e.fits).toBeNull()
  })

  it('gradient checkpointing keeps one input per layer plus one layer', () => {
    const e = estimateMemory({ ...base, gradientCheckpointing: true })
    expect(e.breakdown.activations).toBe(12 * 256 * 4 * 768 * 4 + 84_934_656)
  })

  it('full tuning in bfloat16 with AdamW8bit', () => {
    const e = estimateMemory({ ...base, lora: false, dtype: 'bfloat16', optimizer: 'AdamW8bit' })
    expect(e.trainableParameters).toBe(124_439_808)
    expect(e.breakdown.weights).toBe(124_439_808 * 2)
    expect(e.breakdown.gradients).toBe(124_439_808 * 4)
    expect(e.breakdown.optimizer).toBe(124_439_808 * 2)
  })

  it('against 1 GiB: does not fit, and says which single change saves most', () => {
    const e = estimateMemory({ ...base, deviceBytes: 1024 ** 3 })
    expect(e.fits).toBe(false)
    // Savings: checkpointing 896 532 480; max_length 128: 603 979 776 + 205 852 672; batch 2: 509 607 936 + 205 852 672;
    // bfloat16 weights: 248 879 616. (LoRA is on already; the optimizer change is offered for full tuning only.)
    expect(e.suggestions.map((s) => [s.change, s.to])).toEqual([
      ['gradientCheckpointing', true],
      ['maxLength', 128],
      ['batchSize', 2],
      ['dtype', 'bfloat16'],
    ])
    expect(e.suggestions[0]!.total).toBeCloseTo((1_938_117_632 - 896_532_480) * 1.1, 3)
    expect(e.suggestions.every((s) => s.fits === false)).toBe(true)
    expect(estimateMemory({ ...base, deviceBytes: 4 * 1024 ** 3 }).fits).toBe(true)
  })
})
