/** The checks' findings in words, each with the first row numbers. */
import { Alert, Stack } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { DatasetWarning } from '../../../../src-shared/datasets'

export function WarningsList({ warnings }: { warnings: DatasetWarning[] }) {
  const { t } = useTranslation()
  if (warnings.length === 0) {
    return (
      <Alert severity="success" data-testid="dataset-warnings-none">
        {t('datasets.warnings.none')}
      </Alert>
    )
  }
  return (
    <Stack spacing={1} data-testid="dataset-warnings">
      {warnings.map((w) => (
        <Alert key={w.kind} severity={w.kind === 'noMapping' ? 'info' : 'warning'} data-testid={`dataset-warning-${w.kind}`}>
          {w.kind === 'noMapping'
            ? t('datasets.warnings.noMapping')
            : `${t(`datasets.warnings.${w.kind}`, { count: w.count, limit: w.limit })} (${t('datasets.warnings.rowsList', { rows: w.rows.join(', ') + (w.count > w.rows.length ? ', …' : '') })})`}
        </Alert>
      ))}
    </Stack>
  )
}
