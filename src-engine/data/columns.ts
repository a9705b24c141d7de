/**
 * What each column holds and which columns are probably the prompt, the answer and the system text, from
 * the names the common instruction datasets use (Alpaca/Dolly: instruction/input/output; prompt/response;
 * question/answer; chat data: a `messages` list of {role, content}).
 */
import type { ColumnKind, ColumnMapping } from '../../src-shared/datasets'
import type { DataRow } from './table'

const SAMPLE = 200

export function isMessageList(value: unknown): value is { role: string; content: unknown }[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => m !== null && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string' && 'content' in m)
  )
}

function kindOf(value: unknown): ColumnKind | undefined {
  if (value === null || value === undefined || value === '') return undefined
  if (typeof value === 'string') return 'text'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'boolean'
  if (isMessageList(value)) return 'messages'
  if (Array.isArray(value)) return 'list'
  return 'object'
}

/** Each column's kind from the first non-empty values (mixed kinds count as text). */
export function columnKinds(columns: readonly string[], rows: readonly DataRow[]): Record<string, ColumnKind> {
  const sample = rows.slice(0, SAMPLE)
  const out: Record<string, ColumnKind> = {}
  for (const column of columns) {
    const kinds = new Set(sample.map((row) => kindOf(row[column])).filter((k) => k !== undefined))
    out[column] = kinds.size === 0 ? 'empty' : kinds.size === 1 ? [...kinds][0]! : 'text'
  }
  return out
}

const PROMPT_NAMES = ['instruction', 'prompt', 'question', 'query', 'input_text', 'user', 'human', 'source', 'text']
/** Extra context that goes after the main prompt column when present (Alpaca's input, Dolly's context). */
const CONTEXT_NAMES = ['input', 'context']
const ANSWER_NAMES = ['output', 'response', 'answer', 'completion', 'target', 'assistant', 'gpt', 'chosen', 'output_text', 'label']
const SYSTEM_NAMES = ['system', 'system_prompt', 'system_message']
const MESSAGE_NAMES = ['messages', 'conversations', 'conversation', 'dialog', 'dialogue', 'chat']

function find(columns: readonly string[], names: readonly string[], usable: (c: string) => boolean): string | null {
  const byName = new Map(columns.filter(usable).map((c) => [c.toLowerCase().trim(), c]))
  for (const name of names) {
    const hit = byName.get(name)
    if (hit) return hit
  }
  return null
}

export function guessColumns(columns: readonly string[], kinds: Record<string, ColumnKind>): ColumnMapping {
  const textual = (c: string) => kinds[c] === 'text' || kinds[c] === 'empty' || kinds[c] === 'number'
  const messagesByKind = columns.find((c) => kinds[c] === 'messages')
  const messages = messagesByKind ?? find(columns, MESSAGE_NAMES, (c) => kinds[c] === 'list')
  const main = find(columns, PROMPT_NAMES, textual)
  const answer = find(columns, ANSWER_NAMES, (c) => textual(c) && c !== main)
  const context = main ? find(columns, CONTEXT_NAMES, (c) => textual(c) && c !== main && c !== answer) : null
  const system = find(columns, SYSTEM_NAMES, textual)
  const prompt = [main, context].filter((c): c is string => c !== null)
  // A chat dataset without plain prompt/answer columns is used through its messages.
  if (messages && prompt.length === 0 && !answer) return { prompt: [], answer: null, system, messages }
  return { prompt, answer, system, messages: prompt.length === 0 && !answer ? messages : null }
}

export const defaultPromptSeparator = '\n\n'

function text(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The prompt, answer and system text of one row under a mapping (messages: the last assistant turn is the answer). */
export function rowTexts(row: DataRow, mapping: ColumnMapping, separator = defaultPromptSeparator): { system: string; prompt: string; answer: string } {
  const system = mapping.system ? text(row[mapping.system]) : ''
  if (mapping.messages) {
    const turns = isMessageList(row[mapping.messages]) ? (row[mapping.messages] as { role: string; content: unknown }[]) : []
    const lastAssistant = turns.map((t) => t.role).lastIndexOf('assistant')
    const before = lastAssistant >= 0 ? turns.slice(0, lastAssistant) : turns
    const systemTurns = before.filter((t) => t.role === 'system').map((t) => text(t.content))
    return {
      system: [system, ...systemTurns].filter((s) => s !== '').join(separator),
      prompt: before.filter((t) => t.role !== 'system').map((t) => text(t.content)).join(separator),
      answer: lastAssistant >= 0 ? text(turns[lastAssistant]!.content) : '',
    }
  }
  const prompt = mapping.prompt.map((c) => text(row[c])).filter((s) => s.trim() !== '').join(separator)
  return { system, prompt, answer: mapping.answer ? text(row[mapping.answer]) : '' }
}
