/**
 * architecture.gradient_checkpointing, as torch.utils.checkpoint does it per transformer layer: the forward
 * pass keeps only each layer's input; the backward pass runs the layer again under its own gradient tape
 * and differentiates that. Less memory (no per-layer activations held between forward and backward) for
 * one more forward pass per layer.
 *
 * Each layer becomes a tf.customGrad whose inputs are the residual stream x and the layer's trainable
 * variables (gradients can only flow to a custom op's inputs, so the variables are passed in even though
 * the layer reads them through its linears). Dropout inside the layer (LoRA dropout, intermediate_dropout)
 * draws its seeds from the DropoutControl; the recomputation rewinds it to the layer's first seed, so the
 * masks, and the gradients, are the ones of the forward pass.
 */
import * as tf from '@tensorflow/tfjs'
import type { LayerCheckpointer } from '../models/causal-lm'
import type { DropoutControl } from './trainable'

/** Layer index of a parameter name such as transformer.h.3.attn.c_attn.lora_A.weight or model.layers.3.mlp.up_proj.weight. */
export function layerOfParameter(name: string): number | null {
  const match = /(?:^|\.)(?:h|layers)\.(\d+)\./.exec(name)
  return match ? Number(match[1]) : null
}

/** One per training run; release() after each step's gradients are taken. */
export class GradientCheckpointing implements LayerCheckpointer {
  private readonly byLayer = new Map<number, tf.Variable[]>()
  private retained: tf.Tensor[] = []

  constructor(
    variables: ReadonlyMap<string, tf.Variable>,
    private readonly dropout: DropoutControl,
  ) {
    for (const [name, v] of variables) {
      const layer = layerOfParameter(name)
      if (layer !== null) this.byLayer.set(layer, [...(this.byLayer.get(layer) ?? []), v])
    }
  }

  retain(tensors: readonly tf.Tensor[]): void {
    for (const t of tensors) this.retained.push(tf.keep(t))
  }

  /** Frees what the step's backward pass needed (call after the gradients are taken). */
  release(): void {
    tf.dispose(this.retained)
    this.retained = []
  }

  layer(x: tf.Tensor, layer: number, run: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
    const params = this.byLayer.get(layer) ?? []
    const dropout = this.dropout
    const firstSeed = dropout.position
    const checkpointed = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const input = args[0] as tf.Tensor
      const save = args[args.length - 1] as tf.GradSaveFunc
      save([input])
      // tidy: the layer's intermediate tensors are freed now, not kept until the backward pass
      const value = tf.tidy(() => run(input))
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const after = dropout.position
          const engine = tf.engine().state
          const outerTape = engine.activeTape
          dropout.position = firstSeed
          try {
            return tf.grads((...xs: tf.Tensor[]) => run(xs[0]!))([saved[0]!, ...params], dy)
          } finally {
            // A gradient taken inside a backward pass ends by dropping the engine's tape, which is still the
            // outer pass's (it disposes its saved tensors when done): give it back.
            engine.activeTape = outerTape
            dropout.position = after
          }
        },
      }
    })
    return checkpointed(x, ...params)
  }
}
