/**
 * Datasets on the host: import a file (a copy goes to datasets/<id>/ in the app's data folder), read it
 * with the engine's readers, store its shape, preview, guessed columns and warnings; change the mapping;
 * measure token lengths with a backbone's tokenizer; delete.
 */
import fs from 'node:fs'
import path from 'node:path'
import { checkRows, columnKinds, createLengthCounter, guessColumns, parseDataBytes, readDataFile, type DataTable } from '../../src-engine/data'
import { loadTokenizer } from '../../src-engine/tokenizers'
import type { ColumnMapping, DatasetDetail, TokenLengthRequest, TokenLengthStats } from '../../src-shared/datasets'
import { newId } from '../../src-shared/ids'
import { UserError } from '../api/errors'
import type { History } from '../db'
import type { DataLayout } from '../paths'

export const PREVIEW_ROWS = 20

export type ImportSource = { name: string; bytes: Uint8Array; source?: string } | { path: string; name?: string }

/** A file name that is safe inside our folder on every OS; keeps letters of any script, digits and ._- */
export function safeFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).normalize('NFC')
  const cleaned = base.replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '_').slice(-120)
  return cleaned === '' ? 'data' : cleaned
}

export function createDatasetService(layout: DataLayout, history: History, resolveModelDir: (backbone: string) => string = (b) => b) {
  // The last tables read, so changing the mapping or the limits does not re-parse the file.
  const tables = new Map<string, DataTable>()
  const remember = (id: string, table: DataTable) => {
    tables.delete(id)
    tables.set(id, table)
    while (tables.size > 2) tables.delete(tables.keys().next().value!)
  }
  const table = async (id: string) => {
    const cached = tables.get(id)
    if (cached) return cached
    const read = await readDataFile(history.datasets.path(id))
    remember(id, read)
    return read
  }
  const detail = (id: string): DatasetDetail => {
    const found = history.datasets.detail(id)
    if (!found) throw new UserError(`There is no dataset with id ${id}; it may have been deleted.`, 'datasetMissing', { id })
    return found
  }

  return {
    async importFile(input: ImportSource): Promise<DatasetDetail> {
      let name: string
      let bytes: Uint8Array
      let source: string
      if ('path' in input) {
        if (!fs.existsSync(input.path) || !fs.statSync(input.path).isFile()) {
          throw new UserError(`${input.path} is not a file on this computer.`, 'fileMissing', { file: input.path })
        }
        name = input.name ?? path.basename(input.path)
        bytes = fs.readFileSync(input.path)
        source = `file:${path.resolve(input.path)}`
      } else {
        name = input.name
        bytes = input.bytes
        source = input.source ?? `upload:${input.name}`
      }
      const fileName = safeFileName(name)
      // Parse before copying: a file with errors leaves nothing behind.
      const parsed = await parseDataBytes(fileName, bytes)
      const id = newId('ds')
      const dir = path.join(layout.datasets, id)
      fs.mkdirSync(dir, { recursive: true })
      const file = path.join(dir, fileName)
      fs.writeFileSync(file, bytes)
      const kinds = columnKinds(parsed.columns, parsed.rows)
      const guess = guessColumns(parsed.columns, kinds)
      try {
        history.datasets.create({
          id,
          name: fileName,
          source,
          path: file,
          format: parsed.format,
          rows: parsed.rows.length,
          columns: parsed.columns,
          preview: parsed.rows.slice(0, PREVIEW_ROWS),
          stats: { columnKinds: kinds, guess, warnings: checkRows(parsed.rows, guess), encoding: parsed.encoding ?? null, fileBytes: bytes.length },
        })
      } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true })
        throw error
      }
      remember(id, { ...parsed, file })
      return detail(id)
    },

    detail,

    async setColumns(id: string, mapping: ColumnMapping): Promise<DatasetDetail> {
      const current = detail(id)
      const known = new Set(current.summary.columns)
      const unknown = [...mapping.prompt, mapping.answer, mapping.system, mapping.messages].filter((c): c is string => c !== null && !known.has(c))
      if (unknown.length > 0) throw new UserError(`The dataset has no column "${unknown[0]}".`, 'columnMissing', { column: unknown[0]! })
      history.datasets.setMapping(id, mapping, checkRows((await table(id)).rows, mapping))
      return detail(id)
    },

    delete(id: string): boolean {
      const found = history.datasets.detail(id)
      if (!found) return false
      const file = history.datasets.path(id)
      history.datasets.delete(id)
      tables.delete(id)
      // Only ever remove our own copy: the folder datasets/<id>/ inside the data folder.
      const dir = path.dirname(file)
      if (path.resolve(path.dirname(dir)) === path.resolve(layout.datasets) && path.basename(dir) === id) fs.rmSync(dir, { recursive: true, force: true })
      return true
    },

    async tokenLengths(request: TokenLengthRequest): Promise<TokenLengthStats> {
      const { mapping } = detail(request.id)
      const dir = resolveModelDir(request.backbone)
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UserError(`${request.backbone} is neither a model folder nor a downloaded Hugging Face model.`, 'backboneMissing', { backbone: request.backbone })
      }
      let tokenizer
      try {
        tokenizer = await loadTokenizer(dir)
      } catch (error) {
        throw new UserError(error instanceof Error ? error.message : String(error), 'tokenizer', { backbone: request.backbone })
      }
      // Tokenizing thousands of rows takes seconds: give the event loop a turn every few hundred rows so the
      // host keeps answering other calls meanwhile.
      const { maxLengthPrompt, maxLengthAnswer, maxLength } = request
      const counter = createLengthCounter(tokenizer, mapping, { maxLengthPrompt, maxLengthAnswer, maxLength })
      const { rows } = await table(request.id)
      for (let i = 0; i < rows.length; i++) {
        counter.add(rows[i]!)
        if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve))
      }
      return counter.result()
    },
  }
}

export type DatasetService = ReturnType<typeof createDatasetService>
