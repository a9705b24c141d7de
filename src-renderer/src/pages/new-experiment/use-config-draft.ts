/**
 * The form's state: a draft Config that may hold invalid values while the user types (so the messages can
 * name them), and its validation, recomputed on every change.
 */
import { useMemo, useState } from 'react'
import { defaultConfig, fieldsOfSection, getPath, setPath, validateConfig, type Config, type ConfigIssue, type SectionName } from '../../../../src-shared/config'
import type { DatasetSummary } from '../../../../src-shared/entities'

export interface ConfigDraft {
  draft: unknown
  /** The valid Config, or null while some field's value is rejected by the schema. */
  config: Config | null
  issues: ConfigIssue[]
  issuesByField: Map<string, ConfigIssue>
  setField(path: string, value: unknown): void
  resetSection(section: SectionName): void
  replace(config: Config): void
}

export function useConfigDraft(datasets: readonly DatasetSummary[]): ConfigDraft {
  const [draft, setDraft] = useState<unknown>(defaultConfig)
  const validation = useMemo(() => {
    const trainData = datasets.find((d) => d.id === getPath(draft, 'dataset.train_dataframe'))
    // Settings has no OpenAI-compatible endpoint yet, so the judge metric cannot run (the host agrees).
    return validateConfig(draft, { trainRows: trainData?.rows, requireTrainData: true, openAiEndpointConfigured: false })
  }, [draft, datasets])
  const issuesByField = useMemo(() => {
    const byField = new Map<string, ConfigIssue>()
    // Errors first, so a field with both shows the one that blocks.
    for (const found of [...validation.issues].sort((a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1))) {
      if (!byField.has(found.field)) byField.set(found.field, found)
    }
    return byField
  }, [validation.issues])
  return {
    draft,
    config: validation.config,
    issues: validation.issues,
    issuesByField,
    setField: (path, value) => setDraft((current: unknown) => setPath(current, path, value)),
    resetSection: (section) =>
      setDraft((current: unknown) => fieldsOfSection(section).reduce((next, field) => setPath(next, field.path, field.spec.defaultValue()), current)),
    replace: (config) => setDraft(config),
  }
}
