/**
 * The Datasets page end to end: the real CLI starts the web host, Debian's Chromium uploads the sample CSV
 * through the file input, the preview shows its Japanese text, the columns are remapped, the token-length
 * histogram is drawn with a real tokenizer.json, a malformed file gives a row/column error; in English and
 * in Japanese. Screenshots go to test-results/screenshots/.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { repoRoot, startServe, type ServeProcess } from '../helpers/cli'
import { startHubServer, type HubServer } from '../helpers/hub-server'
import { makeTempHome } from '../helpers/temp-home'

const sample = path.join(repoRoot, 'resources', 'sample-data', 'instruction-sample.csv')
const tokenizerDir = path.join(repoRoot, 'tests', 'fixtures', 'data', 'tokenizer')
// GPT-2 small's shape (the memory estimate reads it); the tokenizer is the tiny fixture.
const gpt2Config = { model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], torch_dtype: 'float32', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 }
const malformed = path.join(repoRoot, 'tests', 'fixtures', 'data', 'missing-field.csv')

async function importFile(page: Page, file: string) {
  await page.getByTestId('dataset-file-input').setInputFiles(file)
}

async function chooseOption(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

describe('the Datasets page in Chromium', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser
  let hub: HubServer

  beforeAll(async () => {
    // A local Hub with a tiny model (the tokenizer fixture) and a dataset (the sample CSV); the web host
    // finds it through HF_ENDPOINT, as huggingface_hub does, and caches under HF_HOME.
    hub = await startHubServer([
      {
        type: 'model',
        id: 'demo/tiny-gpt2',
        files: [
          { path: 'config.json', content: Buffer.from(JSON.stringify(gpt2Config)) },
          { path: 'tokenizer.json', content: fs.readFileSync(path.join(tokenizerDir, 'tokenizer.json')), lfs: true },
        ],
        license: 'apache-2.0',
      },
      { type: 'dataset', id: 'demo/instructions', files: [{ path: 'data/train-00000-of-00001.csv', content: fs.readFileSync(sample), lfs: true }] },
    ])
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir, HF_ENDPOINT: hub.url, HF_HOME: path.join(home.dir, 'hf'), HF_HUB_CACHE: '', HF_TOKEN: '' })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    await hub?.close()
    home.cleanup()
  })

  it('imports the sample CSV, previews it, maps columns and draws the token-length histogram (English)', async () => {
    const { page, errors } = await newPage(browser, 'en-US')
    await page.goto(`${serve.url}#/datasets`)
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Datasets')
    await importFile(page, sample)

    const detail = page.getByTestId('dataset-detail')
    await detail.waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('dataset-detail-name').textContent()).toBe('instruction-sample.csv')
    expect(await page.getByTestId('dataset-detail-rows').textContent()).toBe('20 rows')
    expect(await page.getByTestId('dataset-row').count()).toBe(1)
    // The copy is in the data folder.
    const [id] = fs.readdirSync(path.join(home.dir, 'datasets'))
    expect(fs.readFileSync(path.join(home.dir, 'datasets', id!, 'instruction-sample.csv'))).toEqual(fs.readFileSync(sample))

    // Preview: 20 rows, Japanese text intact, a quoted comma kept inside its value.
    expect(await page.getByTestId('dataset-preview-row').count()).toBe(20)
    expect(await page.getByTestId('dataset-preview-row').first().textContent()).toContain('富士山です。標高は 3,776 メートルです。')
    // Guessed mapping preselected; no warnings.
    expect(await page.getByTestId('mapping-prompt').textContent()).toContain('instruction')
    expect(await page.getByTestId('mapping-answer').textContent()).toContain('output')
    await page.getByTestId('dataset-warnings-none').waitFor()

    // Unmap the answer: the checks say so; map it back.
    await chooseOption(page, 'mapping-answer', '(none)')
    await page.getByTestId('dataset-warning-noMapping').waitFor()
    await chooseOption(page, 'mapping-answer', 'output')
    await page.getByTestId('dataset-warnings-none').waitFor()

    // Token lengths with a real tokenizer.json; a small max_length so some rows are cut.
    await page.getByTestId('tokens-backbone').fill(tokenizerDir)
    await page.getByTestId('tokens-maxLength').fill('64')
    await page.getByTestId('tokens-measure').click()
    await page.getByTestId('token-stats').waitFor({ timeout: 30_000 })
    const canvas = page.locator('[data-testid="token-histogram"]')
    await canvas.waitFor()
    const box = await canvas.boundingBox()
    expect(box!.width).toBeGreaterThan(200)
    expect(box!.height).toBeGreaterThan(100)
    expect(await page.getByTestId('tokens-cut-any').textContent()).toMatch(/^Rows cut in any way: [1-9]\d?%$/)
    expect(await page.getByTestId('tokens-cut-prompt').textContent()).toMatch(/^Prompts cut by max_length_prompt: \d+%$/)
    await screenshot(page, 'en-datasets-imported')

    // A malformed file: row, line and column named, nothing imported.
    await importFile(page, malformed)
    const notice = page.getByTestId('dataset-notice')
    await expect.poll(() => notice.textContent(), { timeout: 30_000 }).toContain('missing-field.csv, row 2, line 4, column "output"')
    expect(await page.getByTestId('dataset-row').count()).toBe(1)
    await screenshot(page, 'en-datasets-error')
    expect(errors).toEqual([])
  })

  it('shows the same dataset in Japanese', async () => {
    const { page, errors } = await newPage(browser, 'ja-JP')
    await page.goto(`${serve.url}#/datasets`)
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('データセット')
    await page.getByTestId('dataset-row').first().click()
    await page.getByTestId('dataset-detail').waitFor()
    expect(await page.getByTestId('dataset-detail-rows').textContent()).toBe('20 行')
    expect(await page.getByTestId('dataset-preview').textContent()).toContain('ご飯、みそ汁、焼き魚の和朝食がおすすめです。')
    await page.getByTestId('tokens-backbone').fill(tokenizerDir)
    await page.getByTestId('tokens-measure').click()
    await page.getByTestId('token-stats').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('tokens-cut-any').textContent()).toMatch(/^どこかが切られる行: \d+%$/)
    await screenshot(page, 'ja-datasets-imported')
    await importFile(page, malformed)
    await expect.poll(() => page.getByTestId('dataset-notice').textContent(), { timeout: 30_000 }).toContain('2 行目')
    expect(await page.getByTestId('dataset-notice').textContent()).toContain('列「output」')
    expect(errors).toEqual([])
  })

  it('imports a dataset file from the Hub and downloads a backbone whose tokenizer then counts tokens', async () => {
    const { page, errors } = await newPage(browser, 'en-US')
    await page.goto(`${serve.url}#/datasets`)
    await page.getByTestId('hub-dataset-id').fill('demo/instructions')
    await page.getByTestId('hub-dataset-show').click()
    await page.getByTestId('hub-dataset-file').first().waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('hub-dataset-file').first().textContent()).toContain('data/train-00000-of-00001.csv')
    await page.getByTestId('hub-dataset-import').first().click()
    await expect.poll(() => page.getByTestId('dataset-detail-name').textContent(), { timeout: 30_000 }).toBe('demo__instructions__train-00000-of-00001.csv')
    expect(await page.getByTestId('dataset-detail-rows').textContent()).toBe('20 rows')

    // The web host keeps no token: it says how to give one.
    expect(await page.getByTestId('hub-token-status').textContent()).toBe(
      'No token: gated and private repositories cannot be downloaded. To use a token here, start the app with HF_TOKEN set in the environment.',
    )
    await page.getByTestId('hub-model-id').fill('demo/missing')
    await page.getByTestId('hub-model-check').click()
    await expect.poll(() => page.getByTestId('hub-model-error').textContent(), { timeout: 30_000 }).toContain('demo/missing was not found on the Hub')

    await page.getByTestId('hub-model-id').fill('demo/tiny-gpt2')
    await page.getByTestId('hub-model-check').click()
    await expect.poll(() => page.getByTestId('hub-model-support').textContent(), { timeout: 30_000 }).toBe('Supported: gpt2 models run in this app.')
    // GPT-2 small's exact count, from config.json alone (no safetensors in this repo).
    expect(await page.getByTestId('hub-model-summary').textContent()).toContain('Parameters: 124,439,808')
    // Memory fit with the defaults (float16, LoRA r=4, batch 4, max_length 256) on 16 GiB: fits; on 1 GiB: not,
    // and gradient checkpointing is the first thing to change.
    await expect.poll(() => page.getByTestId('memory-verdict').textContent()).toBe('Fits')
    expect(await page.getByTestId('memory-total').textContent()).toMatch(/^Estimated peak: 1\.\d+ GiB of 16 GiB$/)
    await page.getByTestId('memory-deviceGiB').fill('1')
    await expect.poll(() => page.getByTestId('memory-verdict').textContent()).toBe('Does not fit')
    expect(await page.getByTestId('memory-suggestions').locator('li').first().textContent()).toMatch(/^Turn on gradient checkpointing → 0\.\d+ GiBfits$/)
    await screenshot(page, 'en-datasets-memory')
    await page.getByTestId('hub-model-download').click()
    await page.getByTestId('hub-model-downloaded').waitFor({ timeout: 30_000 })
    const snapshot = path.join(home.dir, 'hf', 'hub', 'models--demo--tiny-gpt2', 'snapshots', hub.repos.get('demo/tiny-gpt2')!.sha)
    expect(await page.getByTestId('hub-model-downloaded').textContent()).toContain(snapshot)
    expect(fs.readFileSync(path.join(home.dir, 'hf', 'hub', 'models--demo--tiny-gpt2', 'refs', 'main'), 'utf8')).toBe(hub.repos.get('demo/tiny-gpt2')!.sha)

    await page.getByTestId('tokens-backbone').fill('demo/tiny-gpt2')
    await page.getByTestId('tokens-measure').click()
    await page.getByTestId('token-stats').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('token-stats').textContent()).toContain('20 rows')
    await screenshot(page, 'en-datasets-hub')
    expect(errors).toEqual([])
  })
})
