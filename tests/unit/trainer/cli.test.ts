/**
 * `finetune-studio train`, `chat` and `generate --adapter` end to end (child processes): a cfg.yaml with
 * paths relative to its folder trains the demo backbone and writes the experiment folder; chat and
 * generate with the saved adapter reproduce the answers the in-memory model gave at the last evaluation.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import Papa from 'papaparse'
import { afterAll, describe, expect, it } from 'vitest'
import { configFromYaml } from '../../../src-shared/config'
import { loadTokenizer } from '../../../src-engine/tokenizers'
import { encodePrompt, promptFormatFromConfig } from '../../../src-engine/training/dataset'
import { binPath } from '../../helpers/cli'
import { demoProjectYaml, writeDemoProject } from '../../helpers/demo-project'

const run = promisify(execFile)
const env = { ...process.env, FINETUNE_STUDIO_BACKEND: 'wasm' }
const cli = async (...args: string[]) => run(process.execPath, [binPath, ...args], { env, maxBuffer: 1 << 24 })

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))


describe('train and chat commands', () => {
  it('train writes the experiment folder; chat and generate --adapter give the in-memory answers', async () => {
    const project = path.join(tmp, 'project')
    writeDemoProject(project, demoProjectYaml('cli-run'))
    const out = path.join(tmp, 'experiment')

    const trained = await cli('train', path.join(project, 'cfg.yaml'), '--output', out)
    expect(trained.stderr).toContain(`Done: 8 steps; the experiment folder is ${out}`)
    expect(trained.stderr).toMatch(/step 8\/8 epoch 2\.00 loss \d+\.\d+ ETA 00:00/)
    for (const file of ['cfg.yaml', 'logs.txt', 'metrics.csv', 'predictions.csv', 'checkpoints/last/state.json', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true)
    }
    const metrics = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n')
    expect(metrics[0]).toBe('step,epoch,name,value')
    expect(metrics.filter((l) => l.includes(',train/loss,'))).toHaveLength(8)
    // The written cfg.yaml has the paths resolved, so the folder can be used from anywhere.
    const { config } = configFromYaml(fs.readFileSync(path.join(out, 'cfg.yaml'), 'utf8'))
    expect(config.llm_backbone).toBe(path.join(project, 'backbone'))
    expect(config.dataset.train_dataframe).toBe(path.join(project, 'data', 'sample.csv'))

    const predictions = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(out, 'predictions.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data
    expect(predictions).toHaveLength(4)
    const { prompt, predicted } = predictions[0]! as { prompt: string; predicted: string }
    expect(predicted.length).toBeGreaterThan(0) // min_length_inference 4: some text is always generated
    const chat = await cli('chat', out, '--prompt', prompt)
    expect(chat.stdout).toBe(`${predicted}\n`)

    // generate --adapter from the prompt ids that training built (markers and EOS included)
    const tokenizer = await loadTokenizer(path.join(project, 'backbone'))
    const ids = encodePrompt(tokenizer, promptFormatFromConfig(config), '', prompt)
    const generated = await cli('generate', '--model', path.join(project, 'backbone'), '--adapter', path.join(out, 'adapter'), '--ids', ids.join(' '), '--max-new-tokens', '8', '--min-new-tokens', '4', '--repetition-penalty', '1', '--num-beams', '1', '--json')
    expect((JSON.parse(generated.stdout) as { text: string }).text.trim()).toBe(predicted)
  })
})
