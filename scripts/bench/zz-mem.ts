import * as tf from '@tensorflow/tfjs'
import { chooseBackend } from '../../src-engine/backend'
import { runMode } from './engine-modes'
async function main() {
  await chooseBackend('wasm')
  const B = Number(process.argv[2]); const T = 128
  const ids = Int32Array.from({ length: B * T }, (_, i) => 1 + ((i * 7919) % 31999))
  try {
    const r = await runMode({ mode: 'lora', modelDir: '/tmp/bb/gpt2-100m', loraTargets: ['c_attn'], ids, batch: B, time: T, prompt: [1], newTokens: 1, warmup: 1, steps: 1, dumpLoraTo: null })
    console.log('B', B, 'ok', r.msPerStep.toFixed(0), 'ms', r.losses, 'wasm bytes', tf.memory().numBytes, 'rss', process.resourceUsage().maxRSS >> 10)
  } catch (e) { console.log('B', B, 'FAIL', String(e).split('\n')[0], 'rss', process.resourceUsage().maxRSS >> 10) }
  process.exit(0)
}
void main()
