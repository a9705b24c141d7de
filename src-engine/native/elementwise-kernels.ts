/**
 * Native elementwise (with broadcasting) and reduction kernels. The cpu backend computes a
 * broadcast index per element in JavaScript, which made Multiply and Sub most of a training step; these
 * collapse the shapes once and run plain loops over rows in C++. Codes match native/src/elementwise.h.
 */
import * as tf from '@tensorflow/tfjs'
import type { NativeAddon } from './addon'
import { allocFloats } from './buffer-pool'
import { floats, storage, type Kernel } from './storage'

const binaryOps = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Pow: 4, SquaredDifference: 5 } as const
const unaryOps = { Exp: 0, Log: 1, Tanh: 2, Neg: 3, Sqrt: 4, Rsqrt: 5, Square: 6, Sigmoid: 7, Relu: 8, Abs: 9, Erf: 10 } as const
const reduceOps = { Sum: 0, Mean: 1, Max: 2 } as const

function binary(addon: NativeAddon, op: number, fallback: Kernel): Kernel {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const backend = storage(args)
    const av = floats(backend, a)
    const bv = floats(backend, b)
    if (!av || !bv) return fallback(args)
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape)
    const out = allocFloats(tf.util.sizeFromShape(shape))
    if (out.length > 0) addon.binary(op, av, Int32Array.from(a.shape), bv, Int32Array.from(b.shape), out, Int32Array.from(shape))
    return backend.makeTensorInfo(shape, 'float32', out)
  }
}

function unary(addon: NativeAddon, op: number, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const backend = storage(args)
    const values = floats(backend, x)
    if (!values) return fallback(args)
    const out = allocFloats(values.length)
    addon.unary(op, values, out)
    return backend.makeTensorInfo(x.shape, 'float32', out)
  }
}

/** Reduce over a run of adjacent axes as [outer, mid, inner]; other axis sets go to the cpu kernel. */
function reduce(addon: NativeAddon, op: number, fallback: Kernel): Kernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    // Max names its axes reductionIndices; Sum and Mean name them axis.
    const { axis, reductionIndices, keepDims } = args.attrs as { axis?: number | number[] | null; reductionIndices?: number | number[] | null; keepDims: boolean }
    const backend = storage(args)
    const values = floats(backend, x)
    if (!values || values.length === 0) return fallback(args)
    const requested = axis ?? reductionIndices // null: every axis
    const axes = (requested == null ? x.shape.map((_, d) => d) : tf.util.parseAxisParam(requested, x.shape)).sort((p, q) => p - q)
    if (axes.length === 0 || axes.some((d, i) => i > 0 && d !== axes[i - 1]! + 1)) return fallback(args)
    const first = axes[0]!
    const last = axes[axes.length - 1]!
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first))
    const mid = tf.util.sizeFromShape(x.shape.slice(first, last + 1))
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1))
    const out = allocFloats(outer * inner)
    addon.reduce(op, values, out, outer, mid, inner)
    const shape = keepDims ? x.shape.map((n, d) => (axes.includes(d) ? 1 : n)) : x.shape.filter((_, d) => !axes.includes(d))
    return backend.makeTensorInfo(shape, 'float32', out)
  }
}

/** The native elementwise kernels by name, each wrapping the cpu kernel it falls back to. */
export function elementwiseKernels(addon: NativeAddon, cpuKernel: (name: string) => Kernel): Record<string, Kernel> {
  const kernels: Record<string, Kernel> = {}
  for (const [name, op] of Object.entries(binaryOps)) kernels[name] = binary(addon, op, cpuKernel(name))
  for (const [name, op] of Object.entries(unaryOps)) kernels[name] = unary(addon, op, cpuKernel(name))
  for (const [name, op] of Object.entries(reduceOps)) kernels[name] = reduce(addon, op, cpuKernel(name))
  return kernels
}
