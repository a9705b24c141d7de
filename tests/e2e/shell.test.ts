/**
 * The app frame end to end: the real CLI starts the web host on a seeded data folder, Debian's Chromium
 * opens it with the token, every page is visited and photographed, the engine chip comes from the real
 * engine child, and the Experiments page shows the rows in SQLite.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHistory } from '../../src-main/db'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/cli'
import { makeTempHome } from '../helpers/temp-home'

const pages = [
  { route: 'datasets', en: 'Datasets', ja: 'データセット' },
  { route: 'new-experiment', en: 'New experiment', ja: '新しい実験' },
  { route: 'experiments', en: 'Experiments', ja: '実験一覧' },
  { route: 'chat', en: 'Chat', ja: 'チャット' },
  { route: 'settings', en: 'Settings', ja: '設定' },
] as const

describe('the app shell in Chromium', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser

  beforeAll(async () => {
    const history = openHistory(`${home.dir}/studio.db`)
    const dataset = history.datasets.create({ name: 'dolly-ja-sample.csv', source: 'file:/tmp/dolly.csv', path: '/tmp/dolly.csv', format: 'csv', rows: 16, columns: ['instruction', 'output'] })
    history.experiments.create({ name: 'first-lora', config: { lora: true }, backbone: 'demo/tiny-gpt2', datasetId: dataset.id })
    const finished = history.experiments.create({ name: 'second-full', config: {}, backbone: 'demo/tiny-llama', datasetId: dataset.id })
    history.experiments.setStatus(finished.id, 'running')
    history.experiments.setStatus(finished.id, 'finished')
    // A finished run's history, as the supervisor records it: the detail page draws it from SQLite.
    history.metrics.append(
      finished.id,
      [1, 2, 3, 4, 5, 6, 7, 8].flatMap((step) => [
        { step, epoch: step / 8, name: 'train/loss', value: 3 / step, time: step },
        { step, epoch: step / 8, name: 'train/lr', value: 1.5e-4 * (1 - step / 8), time: step },
        ...(step % 4 === 0 ? [{ step, epoch: step / 8, name: 'val/loss', value: 2 / step, time: step }, { step, epoch: step / 8, name: 'val/BLEU', value: step * 5, time: step }] : []),
      ]),
    )
    history.experiments.setBestMetric(finished.id, 'val/BLEU', 40)
    history.close()
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir, OPENAI_API_KEY: '' })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    home.cleanup()
  })

  it('answers 401 without the token and 200 with it', async () => {
    const without = await fetch(`${serve.origin}/`)
    expect(without.status).toBe(401)
    const wrong = await fetch(`${serve.origin}/?token=not-the-token`)
    expect(wrong.status).toBe(401)
    const withToken = await fetch(serve.url)
    expect(withToken.status).toBe(200)
    expect(withToken.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await withToken.text()).toContain('<div id="root">')
  })

  it('opens with the token, shows the engine chip, and visits every page (English)', async () => {
    const { page, errors } = await newPage(browser, 'en-US')
    await page.goto(serve.url)
    const chip = page.getByTestId('engine-chip')
    await expect.poll(() => chip.getAttribute('data-state'), { timeout: 60_000 }).toBe('ready')
    expect(await chip.textContent()).toMatch(/^Engine: (tensorflow|webgpu|native|wasm|cpu)$/)
    // The token moved into a cookie and out of the address bar.
    expect(page.url()).not.toContain('token=')

    for (const { route, en } of pages) {
      await page.getByTestId(`nav-${route}`).click()
      await expect.poll(() => page.getByTestId('page-title').textContent()).toBe(en)
      expect(page.url()).toContain(`#/${route}`)
      await screenshot(page, `en-${route}`)
    }

    await page.getByTestId('nav-experiments').click()
    const rows = page.getByTestId('experiment-row')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.first().textContent()).toContain('second-full')
    expect(await rows.first().textContent()).toContain('Finished')
    expect(await rows.nth(1).textContent()).toContain('first-lora')
    expect(await rows.nth(1).textContent()).toContain('dolly-ja-sample.csv')

    // Start the queued one: the supervisor forks an engine child, which validates the stored config
    // ({ lora: true }: no training data chosen) and refuses it; the row turns Failed live (no reload), with
    // the engine's own explanation, naming the field, on the status chip.
    await page.context().grantPermissions(['notifications'], { origin: serve.origin })
    await page.evaluate(() => {
      // Record what the app shows as desktop notifications.
      const shown: string[] = []
      ;(window as unknown as { shownNotifications: string[] }).shownNotifications = shown
      const Native = window.Notification
      class Recording extends Native {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options)
          shown.push(`${title} | ${options?.body ?? ''}`)
        }
      }
      window.Notification = Recording as typeof Notification
    })
    await rows.nth(1).getByTestId('action-start').click()
    await expect.poll(() => rows.nth(1).getByTestId('experiment-status').textContent(), { timeout: 60_000 }).toBe('Failed')
    await rows.nth(1).getByTestId('experiment-status').hover()
    await expect.poll(() => page.getByRole('tooltip').textContent()).toContain("The experiment's configuration is not valid: No training dataset is chosen.")
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications))
      .toEqual(["“first-lora” failed | The experiment's configuration is not valid: No training dataset is chosen. Choose one in train_dataframe (import data on the Datasets page first)."])

    // Its detail page: the status, the logs the run wrote to the history, and the saved config.
    await rows.nth(1).getByTestId('experiment-link').click()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('first-lora')
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('Failed')
    await expect.poll(() => page.getByTestId('logs').textContent()).toContain('Engine ready:')
    expect(await page.getByTestId('logs').textContent()).toContain('No training dataset is chosen. Choose one in train_dataframe')
    // Shown as the cfg.yaml that runs: what was stored, with the schema's defaults for the rest.
    const shownConfig = (await page.getByTestId('config').textContent())!
    expect(shownConfig).toMatch(/^experiment_name: /)
    expect(shownConfig).toContain('  lora: true')
    await screenshot(page, 'en-experiment-detail')

    // A finished run's charts come from its metric rows: loss (train + validation), metric, learning rate.
    await page.getByTestId('nav-experiments').click()
    await rows.first().getByTestId('experiment-link').click()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('second-full')
    for (const chart of ['loss', 'metric', 'train/lr']) {
      await expect.poll(() => page.getByTestId(`chart-${chart}`).locator('canvas').count()).toBe(1)
    }
    expect(await page.getByTestId('chart-loss').textContent()).toBe('Loss')
    await screenshot(page, 'en-experiment-charts')

    // Clone, rename and delete from the row menu.
    await page.getByTestId('nav-experiments').click()
    await rows.first().getByTestId('row-menu').click()
    await page.getByTestId('menu-clone').click()
    await expect.poll(() => rows.count()).toBe(3)
    expect(await rows.first().getByTestId('experiment-link').textContent()).toBe('second-full (2)')
    await rows.first().getByTestId('row-menu').click()
    await page.getByTestId('menu-rename').click()
    await page.getByTestId('rename-input').fill('second-full, more epochs')
    await page.getByTestId('rename-confirm').click()
    await expect.poll(() => rows.first().getByTestId('experiment-link').textContent()).toBe('second-full, more epochs')
    await rows.first().getByTestId('row-menu').click()
    await page.getByTestId('menu-delete').click()
    await page.getByTestId('delete-confirm').click()
    await expect.poll(() => rows.count()).toBe(2)

    // Sort by name, both ways; filter by status.
    await page.getByTestId('sort-name').click()
    await expect.poll(() => rows.first().getByTestId('experiment-link').textContent()).toBe('first-lora')
    await page.getByTestId('sort-name').click()
    await expect.poll(() => rows.first().getByTestId('experiment-link').textContent()).toBe('second-full')
    await page.getByTestId('status-filter').click()
    await page.getByRole('option', { name: 'Finished' }).click()
    await page.keyboard.press('Escape')
    await expect.poll(() => rows.count()).toBe(1)
    await page.getByTestId('status-filter').click()
    await page.getByRole('option', { name: 'Finished' }).click()
    await page.keyboard.press('Escape')
    await expect.poll(() => rows.count()).toBe(2)

    // Compare the two: overlaid charts, and a config diff that shows only what differs.
    await rows.nth(0).getByTestId('experiment-select').click()
    await rows.nth(1).getByTestId('experiment-select').click()
    await page.getByTestId('compare').click()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Compare experiments')
    await expect.poll(() => page.getByTestId('compare-chart-train/loss').locator('canvas').count()).toBe(1)
    await expect.poll(() => page.getByTestId('diff-row').count()).toBe(1)
    expect(await page.getByTestId('diff-row').textContent()).toBe('lora—true')
    await screenshot(page, 'en-compare')
    expect(errors).toEqual([])
  })

  it('switches to Japanese without a reload, remembers it, and shows every page in Japanese', async () => {
    const { page, errors } = await newPage(browser, 'en-US')
    await page.goto(`${serve.url}#/settings`)
    await page.getByTestId('language-select').click()
    await page.getByRole('option', { name: '日本語' }).click()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('設定')
    await page.reload()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('設定')
    for (const { route, ja } of pages) {
      await page.getByTestId(`nav-${route}`).click()
      await expect.poll(() => page.getByTestId('page-title').textContent()).toBe(ja)
      await screenshot(page, `ja-${route}`)
    }
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja')
    expect(errors).toEqual([])
  })

  it('Settings keeps the LLM judge endpoint on the host; the web host takes the key from OPENAI_API_KEY only', async () => {
    const { page, errors } = await newPage(browser, 'en-US')
    await page.goto(`${serve.url}#/settings`)
    await page.getByTestId('judge-base-url').fill('http://127.0.0.1:8000/v1')
    await page.getByTestId('judge-model').fill('qwen2.5-7b-instruct')
    await expect.poll(() => page.getByTestId('judge-key-status').textContent()).toBe('No API key (fine for local servers that need none). To use a key here, start the app with OPENAI_API_KEY set in the environment.')
    await page.getByTestId('judge-save').click()
    await expect.poll(() => page.getByTestId('judge-endpoint').getByRole('alert').textContent()).toBe('Endpoint saved.')
    await screenshot(page, 'en-settings-judge')
    expect(JSON.parse(fs.readFileSync(path.join(home.dir, 'judge-endpoint.json'), 'utf8'))).toEqual({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-7b-instruct' })
    await page.reload()
    await expect.poll(() => page.getByTestId('judge-model').inputValue()).toBe('qwen2.5-7b-instruct')
    expect(errors).toEqual([])
  })

  it('follows a Japanese browser locale when nothing was chosen', async () => {
    // A run that failed in the engine, as the supervisor records it: English text plus a code for the UI.
    const history = openHistory(`${home.dir}/studio.db`)
    const failed = history.experiments.create({ name: 'too-small', config: {}, backbone: 'demo/tiny-gpt2' })
    history.experiments.setStatus(failed.id, 'running')
    history.experiments.setStatus(failed.id, 'failed', 'one.csv has 1 row(s): the automatic validation split needs at least 2.', {
      code: 'tooFewRowsToSplit',
      params: { file: 'one.csv', rows: 1 },
    })
    history.close()

    const { page } = await newPage(browser, 'ja-JP')
    await page.goto(`${serve.url}#/experiments/${failed.id}`)
    await expect
      .poll(() => page.getByTestId('experiment-error').textContent())
      .toBe('one.csv: データが 1 行しかありません。自動で検証データを分けるには 2 行以上(学習用 1 行、検証用 1 行)必要です。行を増やすか、検証用ファイルを選んでください。')
    await page.goto(`${serve.url}#/experiments`)
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('実験一覧')

    // An error from the host reaches a Japanese user in Japanese: renaming onto a taken name.
    const rows = page.getByTestId('experiment-row')
    await expect.poll(() => rows.count()).toBe(3)
    const other = await rows.nth(1).getByTestId('experiment-link').textContent()
    await rows.first().getByTestId('row-menu').click()
    await page.getByTestId('menu-rename').click()
    await page.getByTestId('rename-input').fill(other!)
    await page.getByTestId('rename-confirm').click()
    await expect.poll(() => page.getByTestId('action-error').textContent()).toBe(`「${other}」という名前の実験はすでにあります。別の名前にしてください。`)
  })
})
