/**
 * An experiment from the New experiment form to the Hub, end to end in Chromium against `finetune-studio
 * serve`: import the sample data on the Datasets page, fill the form (demo backbone, few epochs), save,
 * launch it from the list, watch the progress and the loss chart move, see it finish (and the browser's
 * finish notification), download the adapter as a .zip (checked by Python's zipfile against the folder),
 * push it to a local Hub through the dialog, then compare it with another experiment. A second test: a
 * backbone too big for this computer's memory gets the warning and a confirm before saving.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHistory } from '../../src-main/db'
import { demoConfig } from '../../src-main/demo'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { repoRoot, startServe, type ServeProcess } from '../helpers/cli'
import { startHubServer, type HubServer } from '../helpers/hub-server'
import { makeTempHome } from '../helpers/temp-home'
import { readZipWithPython } from '../helpers/zip-check'

const sample = path.join(repoRoot, 'resources', 'sample-data', 'instruction-sample.csv')
// Llama 3 70B's shape: about 140 GB of bfloat16 weights alone, more than any machine that runs these tests.
const llama70b = { model_type: 'llama', vocab_size: 128256, hidden_size: 8192, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8, intermediate_size: 28672, tie_word_embeddings: false }
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex')

async function openSection(page: Page, section: string) {
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(`tab-${section}`).click()
    try {
      await page.getByTestId(`section-${section}`).waitFor({ timeout: 10_000 })
      return
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

async function fill(page: Page, section: string, field: string, value: string) {
  await openSection(page, section)
  await page.getByTestId(`field-${field}`).locator('input').fill(value)
}

async function select(page: Page, section: string, field: string, value: string) {
  await openSection(page, section)
  await page.getByTestId(`field-${field}`).locator('select').selectOption(value)
}

describe('an experiment from the form to the Hub, and compared', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser
  let hub: HubServer
  let seededName: string
  const bigModel = path.join(home.dir, 'llama-70b-config-only')

  beforeAll(async () => {
    fs.mkdirSync(bigModel)
    fs.writeFileSync(path.join(bigModel, 'config.json'), JSON.stringify(llama70b))
    // The experiment to compare with: finished earlier, with a different learning rate and its own losses.
    const history = openHistory(path.join(home.dir, 'studio.db'))
    const config = demoConfig('ds_seeded', 2)
    seededName = config.experiment_name
    const seeded = history.experiments.create({ name: seededName, config: { ...config, training: { ...config.training, learning_rate: 0.01 } }, backbone: config.llm_backbone })
    history.metrics.append(seeded.id, [1, 2, 3, 4].map((step) => ({ step, epoch: step / 4, name: 'train/loss', value: 7 - step, time: step })))
    history.experiments.setStatus(seeded.id, 'finished')
    history.close()
    hub = await startHubServer([])
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir, HF_ENDPOINT: hub.url, HF_HOME: path.join(home.dir, 'hf'), HF_HUB_CACHE: '', HF_TOKEN: hub.acceptedToken })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    await hub?.close()
    home.cleanup()
  })

  /** Import the sample CSV on the Datasets page (once) and return its id. */
  async function importSample(page: Page): Promise<string> {
    const history = openHistory(path.join(home.dir, 'studio.db'))
    const existing = history.datasets.list().find((d) => d.name === 'instruction-sample.csv')
    history.close()
    if (existing) return existing.id
    await page.goto(`${serve.url}#/datasets`)
    await page.getByTestId('dataset-file-input').setInputFiles(sample)
    await expect.poll(() => page.getByTestId('dataset-notice').textContent(), { timeout: 30_000 }).toBe('Imported instruction-sample.csv.')
    const after = openHistory(path.join(home.dir, 'studio.db'))
    const id = after.datasets.list().find((d) => d.name === 'instruction-sample.csv')!.id
    after.close()
    return id
  }

  it('trains from the form with live progress and charts, downloads and pushes the adapter, and compares', async () => {
    const { page, errors } = await newPage(browser)
    await page.context().grantPermissions(['notifications'], { origin: serve.origin })
    // Record the notifications the page raises (Chromium shows them natively; the test cannot see those).
    await page.addInitScript(() => {
      const Real = window.Notification
      const shown: { title: string; body: string | undefined }[] = []
      Object.assign(window, { shownNotifications: shown })
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options)
          shown.push({ title, body: options?.body })
        }
      } as typeof Notification
    })
    const datasetId = await importSample(page)

    await page.goto(`${serve.url}#/new-experiment`)
    await fill(page, 'experiment', 'llm_backbone', 'finetune-studio/demo-tiny-gpt2')
    await select(page, 'dataset', 'dataset.train_dataframe', datasetId)
    await fill(page, 'training', 'training.epochs', '4')
    await select(page, 'prediction', 'prediction.metric', 'Perplexity')
    // The memory check: the tiny backbone against this computer's memory, no warning.
    await expect.poll(() => page.getByTestId('summary-memory').textContent(), { timeout: 60_000 }).toMatch(/GiB of [\d.,]+ GiB system memory/)
    expect(await page.getByTestId('memory-warning').count()).toBe(0)
    await openSection(page, 'experiment')
    const name = await page.getByTestId('field-experiment_name').locator('input').inputValue()
    await page.getByTestId('save-experiment').click()
    await expect.poll(() => page.getByTestId('save-result').textContent()).toContain(name)

    await page.goto(`${serve.url}#/experiments`)
    const row = page.getByTestId('experiment-row').filter({ hasText: name })
    await row.getByTestId('action-start').click()
    await row.getByTestId('experiment-link').click()
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 60_000 }).toMatch(/Running|Finished/)

    // Two reads while it runs: the progress and the loss chart's pixels both change.
    const progress = page.getByTestId('detail-progress')
    const chart = page.getByTestId('chart-loss').locator('canvas')
    await expect.poll(() => chart.count(), { timeout: 120_000 }).toBe(1)
    const firstProgress = await progress.textContent()
    const firstChart = await chart.evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL())
    await expect.poll(() => progress.textContent(), { timeout: 120_000 }).not.toBe(firstProgress)
    await expect.poll(() => chart.evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL()), { timeout: 120_000 }).not.toBe(firstChart)
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 300_000 }).toBe('Finished')
    expect(await progress.textContent()).toMatch(/^100%/)
    await expect.poll(() => page.evaluate(() => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.map((n) => n.title))).toContain(`“${name}” finished`)

    // The adapter as a .zip, through the browser's download, byte-identical to the folder.
    await expect.poll(() => page.getByTestId('download-adapter').count(), { timeout: 30_000 }).toBe(1)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-adapter').click()])
    expect(download.suggestedFilename()).toBe(`${name}-adapter.zip`)
    const zipFile = path.join(home.dir, 'adapter.zip')
    await download.saveAs(zipFile)
    const history = openHistory(path.join(home.dir, 'studio.db'))
    const experimentId = history.experiments.list({ search: name })[0]!.id
    history.close()
    const adapterDir = path.join(home.dir, 'experiments', experimentId, 'adapter')
    const listing = readZipWithPython(zipFile)
    for (const file of ['adapter_config.json', 'adapter_model.safetensors']) {
      expect(listing.find((e) => e.name === `${name}-adapter/${file}`)?.sha256, file).toBe(sha256(fs.readFileSync(path.join(adapterDir, file))))
    }

    // Push to the (local) Hub: per-file progress, then the commit URL.
    await page.getByTestId('push-open').click()
    await page.getByTestId('push-owner').fill('me')
    await page.getByTestId('push-name').fill('form-run-lora')
    await page.getByTestId('push-start').click()
    await expect.poll(() => page.getByTestId('push-url').count(), { timeout: 60_000 }).toBe(1)
    expect(await page.getByTestId('push-url').textContent()).toBe(`${hub.url}/me/form-run-lora/commit/${hub.repos.get('me/form-run-lora')!.sha}`)
    const fileLines = await page.getByTestId('push-file').allTextContents()
    expect(fileLines.sort()).toEqual(['README.md — 100%', 'adapter_config.json — 100%', 'adapter_model.safetensors — 100%'])
    expect(hub.repos.get('me/form-run-lora')!.files.map((f) => f.path).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors'])
    await screenshot(page, 'en-push-done')
    await page.getByRole('button', { name: 'Close' }).click()

    // Compare with the seeded experiment: overlaid loss chart, config differences only.
    await page.goto(`${serve.url}#/experiments`)
    for (const experiment of [name, seededName]) await page.getByTestId('experiment-row').filter({ hasText: experiment }).getByTestId('experiment-select').locator('input').check()
    await page.getByTestId('compare').click()
    await expect.poll(() => page.getByTestId('compare-chart-train/loss').locator('canvas').count(), { timeout: 30_000 }).toBe(1)
    const diffRows = page.getByTestId('diff-row')
    await expect.poll(() => diffRows.count()).toBeGreaterThan(0)
    const keys = (await diffRows.allTextContents()).join('\n')
    expect(keys).toContain('training.learning_rate')
    expect(keys).not.toContain('llm_backbone') // the same in both: hidden with "differences only"
    await screenshot(page, 'en-compare-form-run')
    expect(errors).toEqual([])
  })

  it('warns before saving a run that does not fit in memory, with what to change', async () => {
    const { page, errors } = await newPage(browser)
    const datasetId = await importSample(page)
    await page.goto(`${serve.url}#/new-experiment`)
    await select(page, 'dataset', 'dataset.train_dataframe', datasetId)
    await fill(page, 'experiment', 'llm_backbone', bigModel)
    const warning = page.getByTestId('memory-warning')
    await expect.poll(() => warning.count(), { timeout: 60_000 }).toBe(1)
    expect(await warning.textContent()).toMatch(/This run needs about [\d.,]+ GiB, more than this device's [\d.,]+ GiB/)
    expect(await warning.getByTestId('memory-advice').textContent()).toMatch(/Lower batch_size to 1 \(Training\) → [\d.,]+ GiB; set grad_accumulation to 4/)
    expect(await page.getByTestId('summary-memory').textContent()).toMatch(/GiB of [\d.,]+ GiB system memory/)
    await screenshot(page, 'en-memory-warning')
    await page.getByTestId('save-experiment').click()
    await expect.poll(() => page.getByTestId('memory-confirm').count()).toBe(1)
    await page.getByTestId('memory-confirm-back').click()
    await expect.poll(() => page.getByTestId('memory-confirm').count()).toBe(0)
    expect(await page.getByTestId('save-result').count()).toBe(0)
    expect(errors).toEqual([])
  })
})
