/**
 * The Chat page end to end: the demo backbone before, the same with an adapter after, both answers
 * streaming into their panes, then the saved conversation reopened after a reload.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newPage, screenshot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/cli'
import { seedDemoChatExperiment } from '../helpers/demo-adapter'
import { makeTempHome } from '../helpers/temp-home'

describe('chat before and after in Chromium', () => {
  const home = makeTempHome()
  let serve: ServeProcess
  let browser: Browser

  beforeAll(async () => {
    seedDemoChatExperiment(home.dir, 'demo-chat', 48)
    serve = await startServe({ FINETUNE_STUDIO_HOME: home.dir })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    home.cleanup()
  })

  it('streams both panes, then reopens the saved conversation', async () => {
    const { page, errors } = await newPage(browser)
    await page.goto(`${serve.url}#/chat`)
    await page.getByTestId('chat-experiment').click()
    await page.getByRole('option', { name: /demo-chat/ }).click()
    await page.getByTestId('chat-input').fill('日本の首都はどこですか?')
    // Record every length each pane's answer goes through, as the DOM changes.
    await page.evaluate(() => {
      const seen: Record<string, number[]> = { before: [], after: [] }
      ;(window as unknown as { answerLengths: typeof seen }).answerLengths = seen
      new MutationObserver(() => {
        for (const side of ['before', 'after']) {
          const length = document.querySelector(`[data-testid=answer-${side}]`)?.textContent?.length ?? 0
          if (length > 0 && seen[side]!.at(-1) !== length) seen[side]!.push(length)
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByTestId('chat-send').click()

    const before = page.getByTestId('answer-before')
    const after = page.getByTestId('answer-after')
    // Done when each pane reports how many tokens it generated (min = max = 48 new tokens).
    for (const side of ['before', 'after']) {
      await expect.poll(() => page.getByTestId(`pane-${side}`).textContent(), { timeout: 60_000 }).toContain('48 tokens')
    }
    const beforeText = (await before.textContent()) ?? ''
    const afterText = (await after.textContent()) ?? ''
    expect(beforeText.length).toBeGreaterThan(0)
    expect(afterText).not.toBe(beforeText)
    // Each answer grew piece by piece in the page, not all at once.
    const lengths = await page.evaluate(() => (window as unknown as { answerLengths: Record<string, number[]> }).answerLengths)
    expect(lengths.before!.length).toBeGreaterThan(3)
    expect(lengths.after!.length).toBeGreaterThan(3)
    await screenshot(page, 'en-chat-before-after')

    await page.reload()
    await page.getByTestId('chat-experiment').click()
    await page.getByRole('option', { name: /demo-chat/ }).click()
    await page.getByTestId('chat-transcript').click()
    await page.getByRole('option', { name: '日本の首都はどこですか?' }).click()
    await expect.poll(() => page.getByTestId('answer-before').textContent()).toBe(beforeText)
    expect(await page.getByTestId('answer-after').textContent()).toBe(afterText)
    expect(errors).toEqual([])
  })
})
