/**
 * The prompt suite in Chromium: prompts added from the experiment's validation samples and typed, "Run all"
 * on before and after with its progress bar, each pair with its BLEU score, still there after a reload; and
 * the drawer's prompt-format switch, disabled with its reason for a backbone without a chat template.
 */
import fs from 'node:fs'
import path from 'node:path'
import Papa from 'papaparse'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/cli'
import { seedDemoChatExperiment } from '../helpers/demo-adapter'
import { makeTempHome } from '../helpers/temp-home'

describe('prompt suite in Chromium', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser

  beforeAll(async () => {
    const { dir } = seedDemoChatExperiment(home.dir, 'demo-suite', 16)
    // The validation samples of an evaluation, as the trainer writes them (prompt, target, predicted, score).
    const rows = [
      { prompt: 'Name three primary colors.', target: 'Red, blue and yellow.', predicted: 'Red.', score: 10 },
      { prompt: '日本の首都はどこですか?', target: '東京です。', predicted: '東京', score: 20 },
    ]
    fs.writeFileSync(path.join(dir, 'predictions.csv'), Papa.unparse(rows, { columns: ['prompt', 'target', 'predicted', 'score'] }))
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    home.cleanup()
  })

  async function openSuite(page: Page) {
    await page.goto(`${serve.url}#/chat`)
    await page.getByTestId('chat-experiment').click()
    await page.getByRole('option', { name: /demo-suite/ }).click()
    await page.getByTestId('tab-suite').click()
  }

  it('adds validation samples and a typed prompt, runs all on before and after, and shows the scores after a reload', async () => {
    const { page, errors } = await newPage(browser)
    await openSuite(page)
    await page.getByTestId('suite-from-validation').click()
    const samples = page.getByTestId('suite-sample')
    await expect.poll(() => samples.count()).toBe(2)
    await samples.nth(0).click()
    await samples.nth(1).click()
    await page.getByTestId('suite-add-selected').click()
    await page.getByTestId('suite-input').fill('A prompt of my own')
    await page.getByTestId('suite-add').click()
    const items = page.getByTestId('suite-item')
    await expect.poll(() => items.count()).toBe(3)
    expect(await items.nth(1).textContent()).toContain('東京です。')

    await page.getByTestId('suite-run-all').click()
    await page.getByTestId('suite-progress').waitFor()
    expect(await page.getByTestId('suite-progress').textContent()).toMatch(/of 3 prompts/)
    await expect.poll(() => page.getByTestId('suite-result').count(), { timeout: 120_000 }).toBe(3)
    await page.getByTestId('suite-progress').waitFor({ state: 'detached' })
    // Two scored pairs (BLEU against the expected answer), one without an expected answer.
    const text = (await page.getByTestId('prompt-suite').textContent()) ?? ''
    expect(text.match(/BLEU \d/g)).toHaveLength(4)
    expect(text.match(/no expected answer to score against/g)).toHaveLength(2)
    await screenshot(page, 'en-chat-prompt-suite')

    await page.reload()
    await openSuite(page)
    await expect.poll(() => page.getByTestId('suite-result').count()).toBe(3)
    expect((await page.getByTestId('prompt-suite').textContent())?.match(/BLEU \d/g)).toHaveLength(4)
    expect(errors).toEqual([])
  }, 180_000)

  it('disables the chat template option, with the reason, when the backbone has none', async () => {
    const { page, errors } = await newPage(browser)
    await openSuite(page)
    await page.getByTestId('chat-settings').click()
    expect(await page.getByTestId('prompt-format-template').isDisabled()).toBe(true)
    expect(await page.getByTestId('prompt-format-training').getAttribute('aria-pressed')).toBe('true')
    expect(await page.getByTestId('prompt-format-reason').textContent()).toContain('no chat_template')
    expect(errors).toEqual([])

    const ja = await newPage(browser, 'ja-JP')
    await openSuite(ja.page)
    await expect.poll(() => ja.page.getByTestId('suite-result').count()).toBe(3)
    expect(await ja.page.getByTestId('prompt-suite').textContent()).toContain('期待される回答')
    await screenshot(ja.page, 'ja-chat-prompt-suite')
    await ja.page.getByTestId('chat-settings').click()
    expect(await ja.page.getByTestId('prompt-format-reason').textContent()).toContain('chat_template がありません')
    await screenshot(ja.page, 'ja-chat-prompt-format')
    expect(ja.errors).toEqual([])
  })
})
