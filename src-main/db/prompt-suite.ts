/** Saved suite prompts per experiment, each with its last run's before/after answers and scores. */
import type { NewSuitePrompt, SuitePrompt, SuiteResult } from '../../src-shared/prompt-suite'
import type { SqliteDatabase } from './database'

interface Row {
  id: number
  experiment_id: string
  prompt: string
  expected: string | null
  created_at: number
  before_answer: string | null
  after_answer: string | null
  metric: string | null
  before_score: number | null
  after_score: number | null
  run_at: number | null
}

function toPrompt(row: Row): SuitePrompt {
  const ran = row.run_at !== null && row.before_answer !== null && row.after_answer !== null
  return {
    id: row.id,
    experimentId: row.experiment_id,
    prompt: row.prompt,
    expected: row.expected,
    createdAt: row.created_at,
    result: ran ? { before: row.before_answer!, after: row.after_answer!, metric: 'BLEU', beforeScore: row.before_score, afterScore: row.after_score, runAt: row.run_at! } : null,
  }
}

export function createPromptSuiteRepository(db: SqliteDatabase) {
  const get = (id: number): SuitePrompt | undefined => {
    const row = db.prepare('SELECT * FROM suite_prompts WHERE id = ?').get(id) as Row | undefined
    return row ? toPrompt(row) : undefined
  }
  return {
    get,
    list(experimentId: string): SuitePrompt[] {
      return (db.prepare('SELECT * FROM suite_prompts WHERE experiment_id = ? ORDER BY id').all(experimentId) as Row[]).map(toPrompt)
    },
    add(experimentId: string, prompts: readonly NewSuitePrompt[]): void {
      const insert = db.prepare('INSERT INTO suite_prompts (experiment_id, prompt, expected, created_at) VALUES (?, ?, ?, ?)')
      const now = Date.now()
      db.transaction(() => {
        for (const p of prompts) insert.run(experimentId, p.prompt, p.expected, now)
      })()
    },
    remove(id: number): boolean {
      return db.prepare('DELETE FROM suite_prompts WHERE id = ?').run(id).changes > 0
    },
    saveResult(id: number, result: SuiteResult): SuitePrompt {
      db.prepare('UPDATE suite_prompts SET before_answer = ?, after_answer = ?, metric = ?, before_score = ?, after_score = ?, run_at = ? WHERE id = ?').run(
        result.before,
        result.after,
        result.metric,
        result.beforeScore,
        result.afterScore,
        result.runAt,
        id,
      )
      return get(id)!
    },
  }
}

export type PromptSuiteRepository = ReturnType<typeof createPromptSuiteRepository>
