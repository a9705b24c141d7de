/** Chat transcripts: one chat per conversation; each turn has the user's prompt and the before/after answers. */
import { newId } from '../../src-shared/ids'
import type { SqliteDatabase } from './database'

export type ChatSide = 'user' | 'before' | 'after'

export interface ChatMessage {
  turn: number
  side: ChatSide
  content: string
  createdAt: number
}

export interface ChatSummary {
  id: string
  experimentId: string | null
  title: string
  createdAt: number
  updatedAt: number
}

export function createChatRepository(db: SqliteDatabase) {
  return {
    create(experimentId: string | null, title: string, settings: unknown = {}): ChatSummary {
      const id = newId('chat')
      const now = Date.now()
      db.prepare(
        'INSERT INTO chats (id, experiment_id, title, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, experimentId, title, JSON.stringify(settings), now, now)
      return { id, experimentId, title, createdAt: now, updatedAt: now }
    },
    addMessage(chatId: string, turn: number, side: ChatSide, content: string): void {
      const now = Date.now()
      db.transaction(() => {
        db.prepare('INSERT INTO chat_messages (chat_id, turn, side, content, created_at) VALUES (?, ?, ?, ?, ?)').run(
          chatId,
          turn,
          side,
          content,
          now,
        )
        db.prepare('UPDATE chats SET updated_at = ? WHERE id = ?').run(now, chatId)
      })()
    },
    get(chatId: string): ChatSummary | undefined {
      return db
        .prepare('SELECT id, experiment_id AS experimentId, title, created_at AS createdAt, updated_at AS updatedAt FROM chats WHERE id = ?')
        .get(chatId) as ChatSummary | undefined
    },
    list(experimentId?: string): ChatSummary[] {
      const rows = db
        .prepare(
          `SELECT id, experiment_id AS experimentId, title, created_at AS createdAt, updated_at AS updatedAt
           FROM chats ${experimentId ? 'WHERE experiment_id = ?' : ''} ORDER BY updated_at DESC`,
        )
        .all(...(experimentId ? [experimentId] : []))
      return rows as ChatSummary[]
    },
    messages(chatId: string): ChatMessage[] {
      return db
        .prepare(
          'SELECT turn, side, content, created_at AS createdAt FROM chat_messages WHERE chat_id = ? ORDER BY turn, id',
        )
        .all(chatId) as ChatMessage[]
    },
  }
}

export type ChatRepository = ReturnType<typeof createChatRepository>
