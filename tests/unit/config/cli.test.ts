// The `finetune-studio config` command, run as a user runs it: a child process through bin/.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { configFromYaml } from '../../../src-shared/config'

const root = path.resolve(import.meta.dirname, '../../..')
const fixture = path.join(root, 'tests/fixtures/config/h2o-causal-lm.cfg.yaml')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'config-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(root, 'bin/finetune-studio.mjs'), 'config', ...args], { cwd: root, encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

function file(name: string, text: string): string {
  const at = path.join(tmp, name)
  fs.writeFileSync(at, text)
  return at
}

describe('finetune-studio config', () => {
  const defaults = cli('defaults')

  it('prints the default config as YAML that loads back without problems', () => {
    expect(defaults.code).toBe(0)
    expect(defaults.stdout).toMatch(/^experiment_name: /)
    expect(configFromYaml(defaults.stdout).issues).toEqual([])
  })

  it('exits 0 for a file without problems, printing notes about H2O keys', () => {
    const run = cli('check', fixture)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('note environment.gpus:')
    expect(run.stdout).toContain('no problems found')
  })

  it('prints warnings but exits 0 for the defaults; --strict counts warnings', () => {
    const defaultsFile = file('defaults.yaml', defaults.stdout)
    const run = cli('check', defaultsFile)
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('warning prediction.temperature')
    expect(run.stdout).toContain('0 errors, 1 warning.')
    expect(cli('check', defaultsFile, '--strict').code).toBe(1)
  })

  it('exits 1 and names the problems when there are errors, warnings listed too', () => {
    const bad = file('bad.yaml', defaults.stdout.replace('  max_length: 256', '  max_length: 64').replace('  lora_r: 4', '  lora_r: 4\n  lora_rnak: 8'))
    const run = cli('check', bad)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('warning training.lora_rnak: Unknown key training.lora_rnak')
    expect(run.stderr).toContain('error tokenizer.max_length: max_length (64) is shorter than max_length_prompt (128)')
    // The tutorial's own defaults carry one warning: temperature without sampling.
    expect(run.stderr).toContain('warning prediction.temperature')
  })

  it('exits 1 on a wrong type, and uses --train-rows for the row checks', () => {
    const wrong = cli('check', file('wrong.yaml', 'training:\n  epochs: many\n'))
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('training.epochs is "many", but it must be a number from 0 to 10000.')
    const quiet = file('quiet.yaml', defaults.stdout.replace('  temperature: 0.3', '  temperature: 0'))
    expect(cli('check', quiet).code).toBe(0)
    const rows = cli('check', quiet, '--train-rows', '1')
    expect(rows.code).toBe(1)
    expect(rows.stderr).toContain('leaves none to train on')
  })

  it('exits 2 on usage errors, 1 for a missing file', () => {
    expect(cli('check').code).toBe(2)
    expect(cli('frobnicate').code).toBe(2)
    expect(cli('check', path.join(tmp, 'nope.yaml')).code).toBe(1)
  })
})
