/**
 * A problem found in a Config: where (a field path), how bad, and a message code with parameters. The
 * words live in the en/ja catalogs (./i18n), so the CLI prints English and the form shows the user's
 * language from the same issue.
 */
export type IssueSeverity = 'error' | 'warning' | 'note'

export const issueCodes = [
  // A field's own value (schema): type, range, choices.
  'expectedNumber',
  'expectedInteger',
  'expectedBoolean',
  'expectedText',
  'expectedTextList',
  'expectedChoice',
  'expectedChoices',
  'tooSmall',
  'tooSmallExclusive',
  'tooBig',
  'tooBigExclusive',
  'empty',
  // Fields against each other and against the data (checks.ts).
  'maxLengthBelowPrompt',
  'maxLengthBelowSum',
  'validationLeavesNoTrain',
  'tooFewRowsForBatch',
  'validationDataframeMissing',
  'trainDataframeMissing',
  'temperatureWithoutSampling',
  'beamsWithSampling',
  'loraScaleLarge',
  'loraScaleSmall',
  'openAiEndpointMissing',
  'minLengthAboveMax',
  'warmupBeyondEpochs',
  // Reading a cfg.yaml (yaml.ts).
  'yamlSyntax',
  'yamlNotMapping',
  'sectionNotMapping',
  'unknownKey',
  'ignoredKey',
  'aliasRead',
  'missingKeys',
] as const
export type IssueCode = (typeof issueCodes)[number]

export interface ConfigIssue {
  severity: IssueSeverity
  /** The field path ('training.lora_r'), a section name, or '' for the file as a whole. */
  field: string
  code: IssueCode
  params: Record<string, string | number>
}

export function issue(severity: IssueSeverity, field: string, code: IssueCode, params: Record<string, string | number> = {}): ConfigIssue {
  return { severity, field, code, params: { field, ...params } }
}

/** Errors block saving and starting; warnings and notes let the user go on knowingly. */
export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === 'error')
}

/** How a value is quoted in a message: as YAML would show it, shortened. */
export function showValue(value: unknown): string {
  const shown = value === undefined ? 'nothing' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown
}
