/**
 * The memory advice before launch: nothing when it fits; single changes with concrete values that are the
 * boundary (the advised batch_size fits, one more does not); a combined plan when no single change is
 * enough; and none when even the smallest settings cannot fit.
 */
import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../../src-shared/config'
import { ENGINE_CHANGES, fitAdvice, memoryInputFromConfig } from '../../../src-shared/memory-advice'
import { estimateOnce, type MemoryFitInput } from '../../../src-shared/memory-fit'

const GiB = 1024 ** 3
const gpt2 = { model_type: 'gpt2', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 }
const llama70b = { model_type: 'llama', vocab_size: 128256, hidden_size: 8192, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8, intermediate_size: 28672, tie_word_embeddings: false }

const base: MemoryFitInput = { config: gpt2, dtype: 'float16', lora: true, loraR: 4, batchSize: 16, maxLength: 1024, gradientCheckpointing: false, optimizer: 'AdamW' }
const total = (input: MemoryFitInput) => estimateOnce(input).total

describe('fitAdvice', () => {
  it('says nothing when the run fits, or when the device memory is unknown', () => {
    expect(fitAdvice({ ...base, deviceBytes: 64 * GiB })).toMatchObject({ single: [], combined: null, estimate: { fits: true } })
    expect(fitAdvice(base)).toMatchObject({ single: [], combined: null, estimate: { fits: null } })
  })

  it('advises single changes with the boundary values: the largest batch_size and max_length that fit', () => {
    const device = 12 * GiB
    const input = { ...base, deviceBytes: device }
    const advice = fitAdvice(input)
    expect(advice.estimate.fits).toBe(false)
    expect(advice.combined).toBeNull()
    const batch = advice.single.find((c) => c.change === 'batchSize')!
    expect(batch.to).toBeLessThan(16)
    expect(total({ ...input, batchSize: batch.to as number })).toBeLessThanOrEqual(device)
    expect(total({ ...input, batchSize: (batch.to as number) + 1 })).toBeGreaterThan(device)
    expect(batch.total).toBe(total({ ...input, batchSize: batch.to as number }))
    const length = advice.single.find((c) => c.change === 'maxLength')!
    expect((length.to as number) % 32).toBe(0)
    expect(total({ ...input, maxLength: length.to as number })).toBeLessThanOrEqual(device)
    expect(total({ ...input, maxLength: (length.to as number) + 32 })).toBeGreaterThan(device)
    // Gradient checkpointing comes first: it costs time, not quality. Every advised change fits on its own.
    expect(advice.single[0]).toMatchObject({ change: 'gradientCheckpointing', to: true })
    for (const change of advice.single) expect(change.total).toBeLessThanOrEqual(device)
  })

  it('full fine-tuning that does not fit: LoRA is among the advice', () => {
    const advice = fitAdvice({ ...base, lora: false, batchSize: 1, maxLength: 128, gradientCheckpointing: true, deviceBytes: 1.5 * GiB })
    expect(advice.estimate.fits).toBe(false)
    expect(advice.single.map((c) => c.change)).toContain('lora')
  })

  it('a combined plan when no single change is enough, each step lowering the total until it fits', () => {
    const input = { ...base, batchSize: 64, maxLength: 2048, deviceBytes: 2 * GiB }
    const advice = fitAdvice(input)
    expect(advice.single).toEqual([])
    const plan = advice.combined!
    expect(plan.length).toBeGreaterThan(1)
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.total).toBeLessThan(plan[i - 1]!.total)
    expect(plan.at(-1)!.total).toBeLessThanOrEqual(2 * GiB)
  })

  it('a 70B model on 16 GiB: the plan runs out of changes without fitting, and says so by its last total', () => {
    const advice = fitAdvice({ ...base, config: llama70b, deviceBytes: 16 * GiB })
    expect(advice.single).toEqual([])
    expect(advice.combined!.at(-1)!.total).toBeGreaterThan(16 * GiB)
  })

  it('for a run here: only the changes the engine honours (checkpointing yes, 16-bit weights no)', () => {
    const input = memoryInputFromConfig(defaultConfig(), gpt2, 12 * GiB)
    const advice = fitAdvice({ ...input, batchSize: 16, maxLength: 1024 }, ENGINE_CHANGES)
    expect(advice.estimate.fits).toBe(false)
    const changes = [...advice.single, ...(advice.combined ?? [])].map((c) => c.change)
    expect(changes.length).toBeGreaterThan(0)
    expect(changes).toContain('gradientCheckpointing')
    expect(changes).not.toContain('dtype')
  })

  it('reads the settings from a Config, as the engine will run them', () => {
    const config = defaultConfig()
    const input = memoryInputFromConfig(config, gpt2, 8 * GiB)
    expect(input).toEqual({
      config: gpt2,
      dtype: 'float32', // TensorFlow.js widens 16-bit checkpoints
      lora: config.training.lora,
      loraR: config.training.lora_r,
      loraTargetModules: config.training.lora_target_modules,
      batchSize: config.training.batch_size,
      maxLength: config.tokenizer.max_length,
      gradientCheckpointing: config.architecture.gradient_checkpointing, // applied per layer by the trainer
      optimizer: config.training.optimizer,
      deviceBytes: 8 * GiB,
    })
  })
})
