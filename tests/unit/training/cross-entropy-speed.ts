/**
 * Measures how to pick x[i, y_i] in the cross-entropy, on the wasm and cpu backends (not a vitest test:
 * run by hand, `npx tsx tests/unit/training/cross-entropy-speed.ts [V ...]`, it takes a minute).
 *   oneHot autograd — nll = logsumexp(x) − Σ x·oneHot(y), tf.grad through it;
 *   fused           — weightedCrossEntropy: gather forward, (softmax − oneHot)·w backward (tf.customGrad);
 *   gather autograd — tf.grad through tf.gather: needs UnsortedSegmentSum (absent on wasm, per-id on cpu).
 * Forward-only timings (evaluation, perplexity) compare the gather pick with the one-hot pick.
 *
 * Measured 2026-11-28 on the shared 2-core machine (other jobs running, so ±30%), N = 512:
 *   wasm V=8000:  forward one-hot 168 ms, gather 183 ms; train step one-hot autograd 3941 ms, fused 665 ms (5.9×)
 *   wasm V=32000: forward one-hot 1263 ms, gather 1054 ms; train step one-hot autograd 12971 ms, fused 3357 ms (3.9×)
 *   cpu  V=8000:  forward one-hot 3696 ms, gather 3996 ms; train step one-hot autograd 18867 ms, fused 7675 ms (2.5×)
 *   gather autograd: wasm "Kernel 'UnsortedSegmentSum' not registered"; cpu still running after minutes.
 * The forward pass is dominated by logsumexp, so the pick barely matters there; the backward is where the
 * fused gradient wins (no one-hot in the forward, no separate gradients of logsumexp and the product).
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { lossWeights, weightedCrossEntropy } from '../../../src-engine/training/cross-entropy'

const rows = 512 // B·T of one step of the reference case
const vocabs = process.argv.slice(2).map(Number).filter((v) => v > 0)

function time(label: string, reps: number, run: () => void): number {
  run() // warm up (kernel compilation, allocation)
  const start = performance.now()
  for (let i = 0; i < reps; i++) run()
  const ms = (performance.now() - start) / reps
  console.log(`  ${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms`)
  return ms
}

async function main(): Promise<void> {
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend)
    await tf.ready()
    for (const vocab of vocabs.length > 0 ? vocabs : [8000, 32000]) {
      console.log(`${backend}, N=${rows}, V=${vocab}`)
      const logits = tf.randomNormal([rows, vocab], 0, 2, 'float32', 1)
      const labels = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % vocab)
      const weights = lossWeights('TokenAveragedCrossEntropy', labels, 1, rows)
      const oneHotLoss = (x: tf.Tensor): tf.Scalar => {
        const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), vocab).cast('float32')
        return tf.logSumExp(x, 1).sub(x.mul(oneHot).sum(1)).mul(tf.tensor1d(weights)).sum() as tf.Scalar
      }
      const gatherLoss = (x: tf.Tensor): tf.Scalar => {
        const index = tf.tensor1d(labels.map((y, i) => i * vocab + y), 'int32')
        return tf.logSumExp(x, 1).sub(tf.gather(x.reshape([-1]), index)).mul(tf.tensor1d(weights)).sum() as tf.Scalar
      }
      const sync = (t: tf.Tensor): void => void t.dataSync()
      const reps = 3
      const forwardOneHot = time('forward, one-hot pick', reps, () => tf.tidy(() => sync(oneHotLoss(logits))))
      const forwardGather = time('forward, gather pick (fused)', reps, () => tf.tidy(() => sync(weightedCrossEntropy(logits, labels, weights))))
      const trainOneHot = time('forward+backward, one-hot autograd', reps, () => tf.tidy(() => sync(tf.grad(oneHotLoss)(logits))))
      const trainFused = time('forward+backward, fused', reps, () => tf.tidy(() => sync(tf.grad((x: tf.Tensor) => weightedCrossEntropy(x, labels, weights))(logits))))
      // On cpu, UnsortedSegmentSum runs once per vocabulary id: a run at V=8000 was still going after
      // several minutes (killed), so it is only tried on wasm, where it fails at once.
      if (backend === 'wasm') {
        try {
          time('forward+backward, gather autograd', 1, () => tf.tidy(() => sync(tf.grad(gatherLoss)(logits))))
        } catch (error) {
          console.log(`  forward+backward, gather autograd  fails: ${(error as Error).message.split('\n')[0]}`)
        }
      }
      console.log(`  → forward: gather ${(forwardOneHot / forwardGather).toFixed(2)}× the speed of one-hot; training step: fused ${(trainOneHot / trainFused).toFixed(2)}× the speed of one-hot autograd`)
      logits.dispose()
    }
  }
}

void main()
