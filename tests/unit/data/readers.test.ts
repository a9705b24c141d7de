/**
 * The data readers on real files: well-formed CSV (UTF-8 with BOM, Shift_JIS from Japanese Excel, TSV),
 * JSON, JSONL and Parquet (written by hyparquet-writer, SNAPPY and uncompressed), and malformed files whose
 * errors must name the file, the row, the line, the column and what to do.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, describe, expect, it } from 'vitest'
import { DataFileError, readDataFile, type DataErrorDetails } from '../../../src-engine/data'
import { repoRoot } from '../../helpers/cli'

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'data')
const fixture = (name: string) => path.join(fixtures, name)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-data-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

async function failure(file: string): Promise<DataErrorDetails & { message: string }> {
  try {
    await readDataFile(file)
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError)
    const e = error as DataFileError
    // Every message names the file and says what to do.
    expect(e.message).toContain(path.basename(file))
    expect(e.details.hint.length).toBeGreaterThan(10)
    return { ...e.details, message: e.message }
  }
  throw new Error(`${file} was read without an error`)
}

describe('CSV', () => {
  it('reads Japanese text from Shift_JIS (Japanese Excel) and UTF-8 with a BOM alike', async () => {
    const sjis = await readDataFile(fixture('shift-jis.csv'))
    const bom = await readDataFile(fixture('bom-utf8.csv'))
    expect(sjis.encoding).toBe('shift_jis')
    expect(bom.encoding).toBe('utf-8')
    expect(bom.columns).toEqual(['instruction', 'output'])
    expect(sjis.rows).toEqual(bom.rows)
    expect(sjis.rows[0]).toEqual({ instruction: '日本の首都はどこですか？', output: '東京です。' })
    expect(sjis.rows).toHaveLength(2)
  })

  it('keeps quoted commas and line breaks in values, skips blank lines, and names pandas index columns as pandas does', async () => {
    const file = path.join(tmp, 'quoted.csv')
    fs.writeFileSync(file, 'instruction,output\n"Say ""hi"", then count","1, 2,\n3"\n\n"x",""\n')
    const table = await readDataFile(file)
    expect(table.rows).toEqual([
      { instruction: 'Say "hi", then count', output: '1, 2,\n3' },
      { instruction: 'x', output: '' },
    ])
    const pandas = await readDataFile(fixture('pandas-index.csv'))
    expect(pandas.columns).toEqual(['Unnamed: 0', 'instruction', 'output', 'output.1'])
    expect(pandas.rows[1]).toEqual({ 'Unnamed: 0': '1', instruction: 'd', output: 'e', 'output.1': 'f' })
  })

  it('reads TSV and tolerates a trailing delimiter', async () => {
    const file = path.join(tmp, 'data.tsv')
    fs.writeFileSync(file, 'prompt\tresponse\nhello, world\thi\n')
    expect((await readDataFile(file)).rows).toEqual([{ prompt: 'hello, world', response: 'hi' }])
    const trailing = await readDataFile(fixture('trailing-comma.csv'))
    expect(trailing.columns).toEqual(['instruction', 'output', 'Unnamed: 2'])
    expect(trailing.rows[1]).toEqual({ instruction: 'c', output: 'd', 'Unnamed: 2': '' })
  })

  it('an unclosed quote: the row and line where it opens, and how to quote', async () => {
    const e = await failure(fixture('unclosed-quote.csv'))
    expect(e).toMatchObject({ code: 'csvQuotes', row: 2, line: 3 })
    expect(e.message).toMatch(/^unclosed-quote\.csv, row 2, line 3(, column "\w+")?: a quoted value is never closed/)
    expect(e.hint).toContain('double quotes')
  })

  it('a stray quote inside a quoted value', async () => {
    const e = await failure(fixture('bad-quote.csv'))
    expect(e).toMatchObject({ code: 'csvQuotes', row: 2, line: 3, column: 'output' })
  })

  it('a missing value: the row, its line after a multi-line value and a blank line, and the missing column', async () => {
    const e = await failure(fixture('missing-field.csv'))
    // Row 2 starts on line 4 (line 3 is blank) and spans two lines; it lacks "output".
    expect(e).toMatchObject({ code: 'csvFieldCount', row: 2, line: 4, column: 'output' })
    expect(e.message).toContain('row 2, line 4, column "output"')
  })

  it('an extra value', async () => {
    const e = await failure(fixture('extra-field.csv'))
    expect(e).toMatchObject({ code: 'csvFieldCount', row: 2, line: 3 })
    expect(e.problem).toContain('3 values but the header names 2 columns')
  })

  it('a header without rows, an empty file, bytes in no known encoding, an unknown extension', async () => {
    expect(await failure(fixture('header-only.csv'))).toMatchObject({ code: 'emptyFile' })
    const empty = path.join(tmp, 'empty.csv')
    fs.writeFileSync(empty, '')
    expect(await failure(empty)).toMatchObject({ code: 'emptyFile' })
    const encoding = await failure(fixture('bad-encoding.csv'))
    expect(encoding).toMatchObject({ code: 'encoding', line: 3 })
    expect(encoding.hint).toContain('UTF-8')
    const xlsx = path.join(tmp, 'book.xlsx')
    fs.writeFileSync(xlsx, 'PK')
    expect(await failure(xlsx)).toMatchObject({ code: 'unsupportedFormat' })
  })
})

describe('JSON and JSON Lines', () => {
  it('reads an array of objects, an object wrapping one, and JSON Lines saved as .json', async () => {
    const alpaca = await readDataFile(fixture('alpaca.json'))
    expect(alpaca.format).toBe('json')
    expect(alpaca.columns).toEqual(['instruction', 'input', 'output'])
    expect(alpaca.rows[1]).toEqual({ instruction: '2+2?', input: '', output: '4' })
    expect((await readDataFile(fixture('wrapped.json'))).rows).toEqual([
      { question: 'Q1', answer: 'A1' },
      { question: 'Q2', answer: 'A2' },
    ])
    const named = await readDataFile(fixture('jsonl-named.json'))
    expect(named.format).toBe('jsonl')
    expect(named.rows).toHaveLength(2)
  })

  it('keeps messages lists as objects', async () => {
    const chat = await readDataFile(fixture('chat.jsonl'))
    expect(chat.columns).toEqual(['messages'])
    expect(chat.rows[0]!.messages).toEqual([
      { role: 'system', content: 'You are kind.' },
      { role: 'user', content: 'こんにちは' },
      { role: 'assistant', content: 'こんにちは！' },
    ])
  })

  it('a syntax error: the line', async () => {
    const e = await failure(fixture('trailing-comma.json'))
    expect(e).toMatchObject({ code: 'jsonSyntax', line: 3 })
  })

  it('not a list of rows; a row that is not an object', async () => {
    expect(await failure(fixture('not-rows.json'))).toMatchObject({ code: 'jsonShape' })
    const e = await failure(fixture('row-not-object.json'))
    expect(e).toMatchObject({ code: 'jsonRowNotObject', row: 2 })
    expect(e.problem).toContain('a string')
  })

  it('JSONL: the broken line (blank lines count as lines, not rows) and an array row', async () => {
    const e = await failure(fixture('broken.jsonl'))
    expect(e).toMatchObject({ code: 'jsonSyntax', row: 3, line: 4 })
    expect(e.hint).toContain('one complete JSON object')
    expect(await failure(fixture('jsonl-array-row.jsonl'))).toMatchObject({ code: 'jsonRowNotObject', row: 2, line: 2 })
  })
})

describe('Parquet', () => {
  const columnData = [
    { name: 'instruction', data: ['日本の首都は？', 'What is 2+2?', 'Say hi'], type: 'STRING' as const },
    { name: 'output', data: ['東京', '4', 'hi'], type: 'STRING' as const },
    { name: 'id', data: [1n, 2n, 3n], type: 'INT64' as const },
  ]

  it.each(['SNAPPY', 'UNCOMPRESSED'] as const)('reads a %s file, bigints as numbers', async (codec) => {
    const file = path.join(tmp, `data-${codec}.parquet`)
    fs.writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, codec })))
    const table = await readDataFile(file)
    expect(table.format).toBe('parquet')
    expect(table.columns).toEqual(['instruction', 'output', 'id'])
    expect(table.rows).toEqual([
      { instruction: '日本の首都は？', output: '東京', id: 1 },
      { instruction: 'What is 2+2?', output: '4', id: 2 },
      { instruction: 'Say hi', output: 'hi', id: 3 },
    ])
  })

  it('a file cut short or not Parquet at all', async () => {
    const whole = new Uint8Array(parquetWriteBuffer({ columnData }))
    const cut = path.join(tmp, 'cut.parquet')
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 20))
    expect(await failure(cut)).toMatchObject({ code: 'parquet' })
    const fake = path.join(tmp, 'fake.parquet')
    fs.writeFileSync(fake, 'instruction,output\na,b\n')
    expect(await failure(fake)).toMatchObject({ code: 'parquet' })
  })
})

describe('the sample dataset in resources/', () => {
  it('reads as 20 instruction/output rows with no warnings', async () => {
    const { checkRows, columnKinds, guessColumns } = await import('../../../src-engine/data')
    const table = await readDataFile(path.join(repoRoot, 'resources', 'sample-data', 'instruction-sample.csv'))
    expect(table.columns).toEqual(['instruction', 'output'])
    expect(table.rows.length).toBeGreaterThanOrEqual(16)
    const mapping = guessColumns(table.columns, columnKinds(table.columns, table.rows))
    expect(mapping).toEqual({ prompt: ['instruction'], answer: 'output', system: null, messages: null })
    expect(checkRows(table.rows, mapping)).toEqual([])
    expect(table.rows.some((r) => String(r.output).includes('\n'))).toBe(true)
  })
})
