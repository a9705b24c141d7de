/** The history store: the database plus one repository per table family. Callers never write SQL. */
import { openDatabase, type SqliteDatabase } from './database'
import { createChatRepository } from './chats'
import { createDatasetRepository } from './datasets'
import { createExperimentRepository } from './experiments'
import { createLogRepository, createMetricRepository } from './metrics'
import { createPromptSuiteRepository } from './prompt-suite'

export function openHistory(file: string) {
  const db: SqliteDatabase = openDatabase(file)
  return {
    db,
    experiments: createExperimentRepository(db),
    datasets: createDatasetRepository(db),
    metrics: createMetricRepository(db),
    logs: createLogRepository(db),
    chats: createChatRepository(db),
    suite: createPromptSuiteRepository(db),
    close: () => db.close(),
  }
}

export type History = ReturnType<typeof openHistory>
