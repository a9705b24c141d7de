/** Files picked in the desktop dialog: one-use tokens that expire, and the web host has no dialog at all. */
import { describe, expect, it } from 'vitest'
import { PickedFiles, requireDialogs } from '../../../src-main/dialogs'

describe('PickedFiles', () => {
  it('gives a token once, with the file name only; an expired token is refused', async () => {
    const picked = new PickedFiles(50)
    const first = picked.remember('/home/me/data/rows.csv')
    expect(first.name).toBe('rows.csv')
    expect(picked.take(first.token)).toBe('/home/me/data/rows.csv')
    expect(() => picked.take(first.token)).toThrow('That file choice has expired. Choose the file again.')
    const late = picked.remember('/home/me/data/late.csv')
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(() => picked.take(late.token)).toThrow(/expired/)
  })

  it('the web host has no file dialog: a clear error', () => {
    expect(() => requireDialogs(null)).toThrow('File dialogs belong to the desktop app; in the browser, upload and download through the page.')
  })
})
