/** A ConfigIssue in the user's language: its message template lives in the catalogs under config.issues. */
import { useTranslation } from 'react-i18next'
import type { ConfigIssue } from '../../../../src-shared/config'

export function useIssueText(): (issue: ConfigIssue) => string {
  const { t } = useTranslation()
  return (issue) => t(`config.issues.${issue.code}`, issue.params)
}
