/**
 * The offline demo from a fresh data folder, end to end in Chromium: one click imports the sample data and
 * starts a LoRA run on the bundled demo backbone; the progress and the loss chart move live; the run
 * finishes; then the Chat page answers with the backbone before and the fine-tuned model after.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/cli'
import { makeTempHome } from '../helpers/temp-home'

describe('the demo: train, watch, chat', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser

  beforeAll(async () => {
    // A short demo (8 epochs of the 20-row sample) keeps the test near a minute on 2 cores.
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir, FINETUNE_STUDIO_DEMO_EPOCHS: '8' })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    home.cleanup()
  })

  it('trains the demo model with live progress and charts, then chats before and after', async () => {
    const { page, errors } = await newPage(browser)
    await page.goto(`${serve.url}#/experiments`)
    await page.getByTestId('start-demo').click()
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 60_000 }).toBe('Running')

    // Progress moves while it runs, and the training-loss chart appears from live metric events.
    const progress = page.getByTestId('detail-progress')
    await expect.poll(async () => Number.parseInt((await progress.textContent()) ?? '0', 10), { timeout: 120_000 }).toBeGreaterThan(0)
    const midway = (await progress.textContent()) ?? ''
    await expect.poll(() => page.getByTestId('chart-loss').locator('canvas').count(), { timeout: 60_000 }).toBe(1)
    await screenshot(page, 'en-demo-running')
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 240_000 }).toBe('Finished')
    expect(await progress.textContent()).toMatch(/^100%/)
    expect(midway).not.toMatch(/^100%/)
    await expect.poll(() => page.getByTestId('chart-metric').locator('canvas').count()).toBe(1)
    // Its results: the exported adapter, and the validation predictions, best or worst first.
    await expect.poll(() => page.getByTestId('folder-adapter').count()).toBe(1)
    const scores = async () => (await page.getByTestId('prediction-score').allTextContents()).map(Number)
    await expect.poll(async () => (await scores()).length).toBeGreaterThan(0)
    const best = await scores()
    expect(best).toEqual([...best].sort((a, b) => b - a))
    await page.getByTestId('predictions-worst').click()
    await expect.poll(scores).toEqual([...best].sort((a, b) => a - b))
    await screenshot(page, 'en-demo-finished')

    await page.getByTestId('nav-chat').click()
    await page.getByTestId('chat-experiment').click()
    await page.getByRole('option', { name: /^demo-/ }).click()
    await page.getByTestId('chat-input').fill('日本で一番高い山は何ですか？')
    await page.getByTestId('chat-send').click()
    for (const side of ['before', 'after']) {
      await expect.poll(() => page.getByTestId(`pane-${side}`).textContent(), { timeout: 60_000 }).toMatch(/\d+ tokens · /)
    }
    const before = await page.getByTestId('answer-before').textContent()
    const after = await page.getByTestId('answer-after').textContent()
    expect(after).not.toBe(before)
    await screenshot(page, 'en-demo-chat')
    expect(errors).toEqual([])
  })
})
