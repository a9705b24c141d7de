/**
 * Dataset import through the typed API over the web host's real WebSocket, as the renderer calls it:
 * upload bytes, get the copy in datasets/<id>/, the preview, the guessed mapping and warnings; change the
 * mapping; token lengths with a real tokenizer.json; errors with file/row/column in `data`; delete.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createApp, type AppServices } from '../../../src-main/app'
import { startWebHost, type WebHost } from '../../../src-main/web/host'
import type { Contract } from '../../../src-shared/contract'
import { repoRoot } from '../../helpers/cli'
import { makeTempHome } from '../../helpers/temp-home'

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'data')

describe('datasets API over the WebSocket', () => {
  const home = makeTempHome()
  let app: AppServices
  let host: WebHost
  let client: ContractRouterClient<Contract>
  let socket: WebSocket
  let nextPick: string | null = null

  beforeAll(async () => {
    const rendererDir = path.join(home.dir, 'renderer')
    fs.mkdirSync(rendererDir)
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<div id="root"></div>')
    // The OS dialog is Electron's and cannot run here: this stand-in answers with the file a test chose.
    const dialogs = { openDataFile: async () => nextPick, saveFile: async () => null }
    app = createApp({ dataDir: path.join(home.dir, 'data'), host: 'web', startEngine: false, dialogs })
    host = await startWebHost({ app, rendererDir })
    socket = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    client = createORPCClient(new RPCLink({ websocket: socket as unknown as globalThis.WebSocket }))
  })

  afterAll(async () => {
    socket?.close()
    await host?.close()
    await app?.close()
    home.cleanup()
  })

  it('imports an uploaded Shift_JIS CSV: a copy in the data folder, Japanese preview, guessed columns', async () => {
    const bytes = fs.readFileSync(path.join(fixtures, 'shift-jis.csv'))
    const detail = await client.datasets.importFile({ name: 'ja/../日本語 データ.csv', contentBase64: bytes.toString('base64') })
    expect(detail.summary).toMatchObject({ name: '日本語 データ.csv', format: 'csv', rows: 2, columns: ['instruction', 'output'] })
    expect(detail.encoding).toBe('shift_jis')
    expect(detail.fileBytes).toBe(bytes.length)
    expect(detail.preview[0]).toEqual({ instruction: '日本の首都はどこですか？', output: '東京です。' })
    expect(detail.mapping).toEqual({ prompt: ['instruction'], answer: 'output', system: null, messages: null })
    expect(detail.warnings).toEqual([])
    const copy = path.join(app.layout.datasets, detail.summary.id, '日本語 データ.csv')
    expect(fs.readFileSync(copy)).toEqual(bytes)
    expect((await client.datasets.list()).map((d) => d.id)).toContain(detail.summary.id)
  })

  it('imports a file picked in the dialog by one-use token; changing the mapping recomputes the warnings and survives a reload', async () => {
    const file = path.join(home.dir, 'dup.jsonl')
    fs.writeFileSync(file, ['{"q":"a","a":"b","s":"x"}', '{"q":"a","a":"b","s":"x"}', '{"q":"","a":"c","s":"y"}'].join('\n'))
    nextPick = null
    expect(await client.datasets.pickFile()).toBeNull()
    nextPick = file
    const picked = (await client.datasets.pickFile())!
    expect(picked.name).toBe('dup.jsonl')
    expect(picked.token).not.toContain(home.dir)
    const detail = await client.datasets.importFile({ picked: picked.token })
    // A token works once; a made-up one (or a path in its place) is refused.
    await expect(client.datasets.importFile({ picked: picked.token })).rejects.toMatchObject({ data: { code: 'pickExpired' } })
    await expect(client.datasets.importFile({ picked: file })).rejects.toMatchObject({ data: { code: 'pickExpired' } })
    expect(detail.summary.source).toBe(`file:${file}`)
    expect(detail.mapping.answer).toBeNull()
    expect(detail.warnings).toEqual([{ kind: 'noMapping', count: 3, rows: [] }])
    const mapped = await client.datasets.setColumns({ id: detail.summary.id, mapping: { prompt: ['q'], answer: 'a', system: 's', messages: null } })
    expect(mapped.warnings).toEqual([
      { kind: 'emptyPrompt', count: 1, rows: [3] },
      { kind: 'duplicate', count: 1, rows: [2] },
    ])
    const again = await client.datasets.get({ id: detail.summary.id })
    expect(again.mapping).toEqual({ prompt: ['q'], answer: 'a', system: 's', messages: null })
    expect(again.guess.answer).toBeNull()
    await expect(client.datasets.setColumns({ id: detail.summary.id, mapping: { prompt: ['nope'], answer: 'a', system: null, messages: null } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      data: { code: 'columnMissing', column: 'nope' },
    })
  })

  it('token lengths with a backbone folder tokenizer, and the shares that the max lengths cut', async () => {
    const csv = 'instruction,output\nhello,world\n' + `${'a'.repeat(19)},b\n`
    const detail = await client.datasets.importFile({ name: 'lengths.csv', contentBase64: Buffer.from(csv).toString('base64') })
    const stats = await client.datasets.tokenLengths({ id: detail.summary.id, backbone: path.join(fixtures, 'tokenizer'), maxLengthPrompt: 10, maxLengthAnswer: 10, maxLength: 12 })
    expect(stats.prompt.max).toBe(20)
    expect(stats.truncated).toEqual({ prompt: 0.5, answer: 0, total: 0, any: 0.5 })
    const defaults = await client.datasets.tokenLengths({ id: detail.summary.id, backbone: path.join(fixtures, 'tokenizer') })
    expect(defaults.limits).toEqual({ maxLengthPrompt: 128, maxLengthAnswer: 128, maxLength: 256 })
    expect(defaults.truncated.any).toBe(0)
    await expect(client.datasets.tokenLengths({ id: detail.summary.id, backbone: path.join(home.dir, 'no-such-model') })).rejects.toMatchObject({
      data: { code: 'backboneMissing' },
    })
  })

  it('a malformed upload: an error with file, row, line and column, and nothing left behind', async () => {
    const before = fs.readdirSync(app.layout.datasets).length
    const bytes = fs.readFileSync(path.join(fixtures, 'missing-field.csv'))
    const error = await client.datasets.importFile({ name: 'missing-field.csv', contentBase64: bytes.toString('base64') }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_REQUEST', data: { code: 'csvFieldCount', file: 'missing-field.csv', row: 2, line: 4, column: 'output' } })
    expect((error as Error).message).toContain('missing-field.csv, row 2, line 4, column "output"')
    expect(fs.readdirSync(app.layout.datasets)).toHaveLength(before)
  })

  it('deletes the row and its folder', async () => {
    const detail = await client.datasets.importFile({ name: 'x.json', contentBase64: Buffer.from('[{"prompt":"p","response":"r"}]').toString('base64') })
    const dir = path.join(app.layout.datasets, detail.summary.id)
    expect(fs.existsSync(dir)).toBe(true)
    expect(await client.datasets.delete({ id: detail.summary.id })).toEqual({ deleted: true })
    expect(fs.existsSync(dir)).toBe(false)
    expect(await client.datasets.delete({ id: detail.summary.id })).toEqual({ deleted: false })
    await expect(client.datasets.get({ id: detail.summary.id })).rejects.toMatchObject({ data: { code: 'datasetMissing' } })
  })
})
