/** Every problem of the draft (or of an imported file) in one list, errors first, in the user's language. */
import { Alert, List, ListItem, ListItemText } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { ConfigIssue } from '../../../../src-shared/config'
import { useIssueText } from './use-issue-text'

const order = { error: 0, warning: 1, note: 2 } as const

export function IssueList({ issues, testId }: { issues: readonly ConfigIssue[]; testId: string }) {
  const { t } = useTranslation()
  const issueText = useIssueText()
  const sorted = [...issues].sort((a, b) => order[a.severity] - order[b.severity])
  return (
    <List dense disablePadding data-testid={testId}>
      {sorted.map((found, index) => (
        <ListItem key={`${found.code}-${found.field}-${index}`} disableGutters data-severity={found.severity} data-field={found.field}>
          <Alert severity={found.severity === 'note' ? 'info' : found.severity} sx={{ width: '100%' }}>
            <ListItemText primary={issueText(found)} secondary={t(`newExperiment.severity.${found.severity}`)} />
          </Alert>
        </ListItem>
      ))}
    </List>
  )
}
