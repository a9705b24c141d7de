/**
 * From data rows to token sequences, as H2O LLM Studio's causal-LM dataset builds them
 * (llm_studio/src/datasets/text_causal_language_modeling_ds.py, text_utils.py):
 *
 *   system  = text_system_start + system (+ EOS if add_eos_token_to_system)        — only with a system column
 *   prompt  = text_prompt_start + prompt columns joined by prompt_column_separator
 *             (+ EOS if add_eos_token_to_prompt) + text_answer_separator
 *   answer  = answer (+ EOS if add_eos_token_to_answer)
 *
 * Marker strings are typed with escapes (\n) as H2O stores them and decoded here. EOS is inserted as the
 * token id rather than as its text: a special token splits the text around it in Hugging Face tokenizers,
 * so tokenising the pieces either side separately gives the same ids as H2O's string concatenation.
 * Truncation: system and prompt each keep their last max_length_prompt tokens (H2O truncates prompts on
 * the left), the answer its first max_length_answer, and the joined sample its last max_length (so the
 * answer survives). Labels are the ids, with system and prompt positions set to -100 when
 * mask_prompt_labels. Splits and samples are seeded (mulberry32, the generation RNG).
 */
import type { Config } from '../../src-shared/config'
import { decodeEscapes } from '../../src-shared/config'
import { readDataFile } from '../data'
import { isMessageList, type DataRow, type DataTable } from '../data'
import { seededRng } from '../generation/rng'
import type { Tokenizer } from '../tokenizers'
import { IGNORE_INDEX } from './cross-entropy'
import { UserError } from '../../src-shared/user-error'

/** One row as texts, before tokenisation. */
export interface SampleTexts {
  system: string
  prompt: string
  answer: string
  /** Earlier turns of a conversation (a `messages` column), oldest first; absent for single turns. */
  history?: { prompt: string; answer: string }[]
}

/** One tokenised sample: input ids, labels (-100 where not scored) and how many leading ids are prompt. */
export interface TokenizedSample {
  ids: number[]
  labels: number[]
  promptLength: number
  /** The prompt ids alone (system + prompt, truncated as in training): what generation starts from. */
  promptIds: number[]
  texts: SampleTexts
}

export interface PromptFormat {
  systemColumn: string | null
  promptColumns: string[]
  answerColumn: string
  promptSeparator: string
  systemStart: string
  promptStart: string
  answerSeparator: string
  eosToSystem: boolean
  eosToPrompt: boolean
  eosToAnswer: boolean
  maskPromptLabels: boolean
  /** Chained conversations: each row's parent row (by idColumn) is its previous turn. */
  parentIdColumn: string | null
  idColumn: string
  /** Chains: only the last answer is a label. */
  onlyLastAnswer: boolean
  /** Chains: only rows no other row continues (whole conversations) are samples. */
  limitChainedSamples: boolean
  maxLengthPrompt: number
  maxLengthAnswer: number
  maxLength: number
}

export function promptFormatFromConfig(config: Config): PromptFormat {
  const d = config.dataset
  const t = config.tokenizer
  return {
    systemColumn: d.system_column,
    promptColumns: [...d.prompt_column],
    answerColumn: d.answer_column,
    promptSeparator: decodeEscapes(d.prompt_column_separator),
    systemStart: decodeEscapes(d.text_system_start),
    promptStart: decodeEscapes(d.text_prompt_start),
    answerSeparator: decodeEscapes(d.text_answer_separator),
    eosToSystem: d.add_eos_token_to_system,
    eosToPrompt: d.add_eos_token_to_prompt,
    eosToAnswer: d.add_eos_token_to_answer,
    maskPromptLabels: d.mask_prompt_labels,
    parentIdColumn: d.parent_id_column,
    idColumn: d.id_column ?? 'id',
    onlyLastAnswer: d.only_last_answer,
    limitChainedSamples: d.limit_chained_samples,
    maxLengthPrompt: t.max_length_prompt,
    maxLengthAnswer: t.max_length_answer,
    maxLength: t.max_length,
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * The texts of one row; a missing column is an error naming the file, the row and the column.
 * A prompt column holding a `messages` list ({role, content}, OpenAI style) is a conversation: system
 * turns are the system text, the last assistant turn is the answer, and the user/assistant pairs before
 * it are formatted as earlier turns (each prompt with the markers, each answer with its EOS).
 */
export function rowToTexts(row: DataRow, format: PromptFormat, where: { file: string; row: number }): SampleTexts {
  const need = (column: string): string => {
    if (!(column in row)) {
      throw new UserError(
        `${where.file}, row ${where.row + 1}: there is no column "${column}". Check dataset.prompt_column / answer_column / system_column against the file's columns (${Object.keys(row).join(', ')}).`,
        'rowColumnMissing',
        { file: where.file, row: where.row + 1, column, columns: Object.keys(row).join(', ') },
      )
    }
    return cellText(row[column])
  }
  const first = format.promptColumns[0]
  if (format.promptColumns.length === 1 && first !== undefined && isMessageList(row[first])) {
    const turns = row[first] as { role: string; content: unknown }[]
    const last = turns.map((t) => t.role).lastIndexOf('assistant')
    if (last < 0) throw new UserError(`${where.file}, row ${where.row + 1}: the "${first}" conversation has no assistant turn to learn.`, 'conversationNoAnswer', { file: where.file, row: where.row + 1, column: first })
    const system = turns.slice(0, last).filter((t) => t.role === 'system').map((t) => cellText(t.content)).join(format.promptSeparator)
    const history: { prompt: string; answer: string }[] = []
    let pending: string[] = []
    for (const turn of turns.slice(0, last)) {
      if (turn.role === 'system') continue
      if (turn.role === 'assistant') {
        history.push({ prompt: pending.join(format.promptSeparator), answer: cellText(turn.content) })
        pending = []
      } else {
        pending.push(cellText(turn.content))
      }
    }
    return { system, prompt: pending.join(format.promptSeparator), answer: cellText(turns[last]!.content), history }
  }
  return {
    system: format.systemColumn ? need(format.systemColumn) : '',
    prompt: format.promptColumns.map(need).join(format.promptSeparator),
    answer: need(format.answerColumn),
  }
}

function eosId(tokenizer: Tokenizer): number {
  if (tokenizer.eosTokenId === null) throw new UserError(`The tokenizer (${tokenizer.description}) has no EOS token: turn off dataset.add_eos_token_to_prompt / add_eos_token_to_answer / add_eos_token_to_system.`, 'tokenizerNoEos')
  return tokenizer.eosTokenId
}

/** System + prompt ids as training formats them (also what chat and validation generation start from). */
export function encodePrompt(tokenizer: Tokenizer, format: PromptFormat, system: string, prompt: string): number[] {
  const systemIds = format.systemColumn !== null || system !== '' ? [...tokenizer.encode(format.systemStart + system), ...(format.eosToSystem ? [eosId(tokenizer)] : [])].slice(-format.maxLengthPrompt) : []
  const promptIds = format.eosToPrompt
    ? [...tokenizer.encode(format.promptStart + prompt), eosId(tokenizer), ...tokenizer.encode(format.answerSeparator)]
    : tokenizer.encode(format.promptStart + prompt + format.answerSeparator)
  return [...systemIds, ...promptIds.slice(-format.maxLengthPrompt)]
}

function encodeAnswer(tokenizer: Tokenizer, format: PromptFormat, answer: string): number[] {
  return [...tokenizer.encode(answer), ...(format.eosToAnswer ? [eosId(tokenizer)] : [])].slice(0, format.maxLengthAnswer)
}

export function tokenizeSample(tokenizer: Tokenizer, format: PromptFormat, texts: SampleTexts): TokenizedSample {
  // Earlier turns: prompt (markers, truncated as prompts are) then answer (a label unless masked).
  const segments: { ids: number[]; masked: boolean }[] = []
  for (const [i, turn] of (texts.history ?? []).entries()) {
    segments.push({ ids: encodePrompt(tokenizer, format, i === 0 ? texts.system : '', turn.prompt), masked: format.maskPromptLabels })
    segments.push({ ids: encodeAnswer(tokenizer, format, turn.answer), masked: format.onlyLastAnswer })
  }
  const promptIds = encodePrompt(tokenizer, format, texts.history?.length ? '' : texts.system, texts.prompt)
  segments.push({ ids: promptIds, masked: format.maskPromptLabels }, { ids: encodeAnswer(tokenizer, format, texts.answer), masked: false })
  const all = segments.flatMap((seg) => seg.ids)
  const allLabels = segments.flatMap((seg) => seg.ids.map((id) => (seg.masked ? IGNORE_INDEX : id)))
  const cut = Math.max(0, all.length - format.maxLength)
  const ids = all.slice(cut)
  const labels = allLabels.slice(cut)
  const promptLength = Math.max(0, all.length - segments.at(-1)!.ids.length - cut)
  // What generation starts from: the conversation up to the last answer (its last max_length tokens).
  const context = all.slice(0, all.length - segments.at(-1)!.ids.length).slice(-format.maxLength)
  return { ids, labels, promptLength, promptIds: context, texts }
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function seededPermutation(n: number, seed: number): number[] {
  const rng = seededRng(seed)
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}

export interface SplitRows {
  train: DataRow[]
  validation: DataRow[]
  trainFile: string
  validationFile: string
  /** Every row of each file (chained conversations look parents up there). */
  trainAll: DataRow[]
  validationAll: DataRow[]
}

/** Rows the automatic split holds out: validation_size of them, at least one. */
export function validationRowCount(rows: number, validationSize: number): number {
  return Math.min(rows - 1, Math.max(1, Math.round(rows * validationSize)))
}

function sampleRows(rows: DataRow[], fraction: number, seed: number): DataRow[] {
  if (fraction >= 1) return rows
  const keep = Math.max(1, Math.round(rows.length * fraction))
  return seededPermutation(rows.length, seed).slice(0, keep).sort((a, b) => a - b).map((i) => rows[i]!)
}

/** Every configured column must be in the file: an error naming the file, the column and the choices. */
function checkColumns(table: DataTable, config: Config): void {
  const d = config.dataset
  const messages = d.prompt_column.length === 1 && table.rows.some((r) => isMessageList(r[d.prompt_column[0]!]))
  const wanted = [...d.prompt_column, ...(messages ? [] : [d.answer_column]), ...(d.system_column ? [d.system_column] : [])]
  const missing = wanted.filter((c) => !table.columns.includes(c))
  if (missing.length > 0) {
    throw new UserError(
      `${table.file} has no column ${missing.map((c) => `"${c}"`).join(', ')}. Its columns are ${table.columns.map((c) => `"${c}"`).join(', ')}: set dataset.prompt_column / answer_column / system_column to match.`,
      'fileColumnsMissing',
      { file: table.file, missing: missing.join(', '), columns: table.columns.join(', ') },
    )
  }
}

/** Reads the training (and custom validation) file, splits, samples. Paths are resolved by the caller. */
export async function loadSplitRows(config: Config, seed: number, read: (file: string) => Promise<DataTable> = readDataFile): Promise<SplitRows> {
  const d = config.dataset
  if (d.train_dataframe.trim() === '') throw new UserError('dataset.train_dataframe is empty: choose the training data file.', 'trainDataNotChosen')
  const train = await read(d.train_dataframe)
  checkColumns(train, config)
  let trainRows = train.rows
  let validationRows: DataRow[]
  let validationFile = train.file
  let validationAll = train.rows
  if (d.validation_strategy === 'custom') {
    if (!d.validation_dataframe) throw new UserError('dataset.validation_strategy is custom but dataset.validation_dataframe is empty: choose a validation file, or use the automatic split.', 'validationDataNotChosen')
    const validation = await read(d.validation_dataframe)
    checkColumns(validation, config)
    validationRows = validation.rows
    validationFile = validation.file
    validationAll = validation.rows
  } else {
    if (trainRows.length < 2) throw new UserError(`${train.file} has ${trainRows.length} row(s): the automatic validation split needs at least 2 (one to train, one to validate).`, 'tooFewRowsToSplit', { file: train.file, rows: trainRows.length })
    const held = validationRowCount(trainRows.length, d.validation_size)
    const order = seededPermutation(trainRows.length, seed)
    const validationIndex = new Set(order.slice(0, held))
    validationRows = trainRows.filter((_, i) => validationIndex.has(i))
    trainRows = trainRows.filter((_, i) => !validationIndex.has(i))
  }
  if (d.data_sample < 1) {
    if (d.data_sample_choice.includes('train')) trainRows = sampleRows(trainRows, d.data_sample, seed + 1)
    if (d.data_sample_choice.includes('validation')) validationRows = sampleRows(validationRows, d.data_sample, seed + 2)
  }
  // train_validation_data: train on the validation rows too (they are still evaluated on)
  if (config.training.train_validation_data) trainRows = [...trainRows, ...validationRows]
  if (trainRows.length === 0) throw new UserError(`${train.file}: no training rows are left after the validation split and data_sample.`, 'noTrainRowsLeft', { file: train.file })
  return { train: trainRows, validation: validationRows, trainFile: train.file, validationFile, trainAll: train.rows, validationAll }
}

function idOf(value: unknown): string | null {
  return value === null || value === undefined || value === '' ? null : String(value)
}

/**
 * With parent_id_column: each row continues the conversation of its parent row (found by id_column in
 * `allRows`, the whole file): the parents' prompts and answers become the row's earlier turns, as H2O's
 * chained samples. A cycle or a chain longer than the file is an error naming the row.
 */
export function chainRows(rows: readonly DataRow[], allRows: readonly DataRow[], format: PromptFormat, file: string): SampleTexts[] {
  const parentColumn = format.parentIdColumn
  const texts = rows.map((row, i) => rowToTexts(row, format, { file, row: i }))
  if (!parentColumn) return texts
  const byId = new Map<string, DataRow>()
  for (const row of allRows) {
    const id = idOf(row[format.idColumn])
    if (id === null) throw new UserError(`${file}: dataset.parent_id_column is set, so every row needs an id in column "${format.idColumn}" (dataset.id_column); some rows have none.`, 'rowIdMissing', { file, column: format.idColumn })
    byId.set(id, row)
  }
  const parents = new Set(allRows.map((row) => idOf(row[parentColumn])).filter((id): id is string => id !== null))
  const out: SampleTexts[] = []
  rows.forEach((row, i) => {
    if (format.limitChainedSamples && parents.has(idOf(row[format.idColumn]) ?? '')) return
    const history: { prompt: string; answer: string }[] = []
    let parentId = idOf(row[parentColumn])
    for (let guard = 0; parentId !== null; guard++) {
      const parent = byId.get(parentId)
      if (!parent) break // the chain starts outside the file: keep what is there
      if (guard > allRows.length) throw new UserError(`${file}, row ${i + 1}: the parent_id chain loops.`, 'parentChainLoops', { file, row: i + 1 })
      const t = rowToTexts(parent, format, { file, row: allRows.indexOf(parent) })
      history.unshift({ prompt: t.prompt, answer: t.answer })
      parentId = idOf(parent[parentColumn])
    }
    const own = texts[i]!
    out.push(history.length > 0 ? { ...own, history } : own)
  })
  return out
}

export function tokenizeRows(tokenizer: Tokenizer, format: PromptFormat, rows: readonly DataRow[], file: string, allRows: readonly DataRow[] = rows): TokenizedSample[] {
  return chainRows(rows, allRows, format, file).map((texts) => tokenizeSample(tokenizer, format, texts))
}
