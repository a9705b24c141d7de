/**
 * Numbered schema migrations. The database's PRAGMA user_version is the number of the last one applied.
 * Never edit a migration that has shipped: add the next number.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'history tables',
    sql: `
      CREATE TABLE datasets (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        source       TEXT NOT NULL,            -- "file:<original path>" or "hf:<repo>/<config>/<split>"
        path         TEXT NOT NULL,            -- the normalized copy inside the app data folder
        format       TEXT NOT NULL CHECK (format IN ('csv', 'json', 'jsonl', 'parquet')),
        rows         INTEGER NOT NULL DEFAULT 0,
        columns_json TEXT NOT NULL DEFAULT '[]',
        preview_json TEXT NOT NULL DEFAULT '[]',
        stats_json   TEXT,
        created_at   INTEGER NOT NULL
      );

      CREATE TABLE experiments (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'stopped', 'interrupted')),
        config_json TEXT NOT NULL,
        backbone    TEXT NOT NULL,
        dataset_id  TEXT REFERENCES datasets(id) ON DELETE SET NULL,
        backend     TEXT,
        device      TEXT,
        error       TEXT,
        progress    REAL NOT NULL DEFAULT 0,
        eta_seconds REAL,
        best_metric_name  TEXT,
        best_metric_value REAL,
        created_at  INTEGER NOT NULL,
        started_at  INTEGER,
        finished_at INTEGER,
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX experiments_by_status ON experiments(status);

      CREATE TABLE metrics (
        experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        step          INTEGER NOT NULL,
        epoch         REAL NOT NULL,
        name          TEXT NOT NULL,
        value         REAL NOT NULL,
        time          INTEGER NOT NULL,
        PRIMARY KEY (experiment_id, name, step)
      ) WITHOUT ROWID;

      CREATE TABLE logs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        experiment_id TEXT REFERENCES experiments(id) ON DELETE CASCADE,
        time          INTEGER NOT NULL,
        level         TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
        message       TEXT NOT NULL
      );
      CREATE INDEX logs_by_experiment ON logs(experiment_id, id);

      CREATE TABLE chats (
        id            TEXT PRIMARY KEY,
        experiment_id TEXT REFERENCES experiments(id) ON DELETE SET NULL,
        title         TEXT NOT NULL,
        settings_json TEXT NOT NULL DEFAULT '{}',
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );

      CREATE TABLE chat_messages (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id    TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        turn       INTEGER NOT NULL,
        side       TEXT NOT NULL CHECK (side IN ('user', 'before', 'after')),
        content    TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX chat_messages_by_chat ON chat_messages(chat_id, turn, id);
    `,
  },
  {
    version: 2,
    name: 'dataset column mapping',
    sql: `
      -- The prompt/answer/system/messages columns the user picked (JSON ColumnMapping); NULL = the guess.
      ALTER TABLE datasets ADD COLUMN mapping_json TEXT;
    `,
  },
  {
    version: 3,
    name: 'experiment error codes',
    sql: `
      -- The failure's message code and parameters (JSON CodedMessage), so the UI can say it in the user's
      -- language; NULL when the error has no code (the English text in error is then all there is).
      ALTER TABLE experiments ADD COLUMN error_code_json TEXT;
    `,
  },
  {
    version: 4,
    name: 'prompt suite',
    sql: `
      -- Prompts saved per experiment to run on before and after; the last run's answers and scores with each.
      CREATE TABLE suite_prompts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        prompt        TEXT NOT NULL,
        expected      TEXT,                    -- the validation sample's answer; NULL for a typed prompt
        created_at    INTEGER NOT NULL,
        before_answer TEXT,
        after_answer  TEXT,
        metric        TEXT,                    -- what the scores are (BLEU against expected)
        before_score  REAL,
        after_score   REAL,
        run_at        INTEGER
      );
      CREATE INDEX suite_prompts_by_experiment ON suite_prompts(experiment_id, id);
    `,
  },
]
