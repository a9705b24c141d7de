/** One dataset: its shape, column mapping, checks, preview and token lengths. */
import { Alert, Chip, Stack, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ColumnMapping, DatasetDetail } from '../../../../src-shared/datasets'
import { useApi } from '../../api/context'
import { errorText, type ErrorText } from '../../api/errors'
import { useFormat } from '../../format'
import { Section } from '../Section'
import { ColumnMappingForm } from './ColumnMappingForm'
import { PreviewTable } from './PreviewTable'
import { TokenLengthPanel } from './TokenLengthPanel'
import { WarningsList } from './WarningsList'

export function DatasetDetailPanel({ detail, onChange }: { detail: DatasetDetail; onChange: (detail: DatasetDetail) => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [error, setError] = useState<ErrorText | null>(null)
  const { summary } = detail

  const setMapping = async (mapping: ColumnMapping) => {
    setError(null)
    try {
      onChange(await api.datasets.setColumns({ id: summary.id, mapping }))
    } catch (e) {
      setError(errorText(t, e))
    }
  }

  return (
    <Stack spacing={2} data-testid="dataset-detail">
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <Typography variant="h6" component="h2" data-testid="dataset-detail-name">
          {summary.name}
        </Typography>
        <Chip size="small" label={summary.format.toUpperCase()} />
        <Chip size="small" color="primary" label={t('datasets.detail.rows', { count: summary.rows })} data-testid="dataset-detail-rows" />
        <Chip size="small" label={t('datasets.detail.columns', { count: summary.columns.length })} />
        <Chip size="small" variant="outlined" label={t('datasets.detail.size', { size: format.number(detail.fileBytes / 1024, 3) })} />
        {detail.encoding && <Chip size="small" variant="outlined" label={t('datasets.detail.encoding', { encoding: detail.encoding })} />}
      </Stack>
      <Section title={t('datasets.mapping.title')} testId="dataset-mapping">
        <ColumnMappingForm columns={summary.columns} mapping={detail.mapping} guess={detail.guess} onChange={(m) => void setMapping(m)} />
        {error && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {error.text}
          </Alert>
        )}
      </Section>
      <Section title={t('datasets.warnings.title')}>
        <WarningsList warnings={detail.warnings} />
      </Section>
      <Section title={t('datasets.preview.title', { count: detail.preview.length })}>
        <PreviewTable columns={summary.columns} kinds={detail.columnKinds} rows={detail.preview} />
      </Section>
      <Section title={t('datasets.tokens.title')}>
        <TokenLengthPanel datasetId={summary.id} mappingVersion={JSON.stringify(detail.mapping)} />
      </Section>
    </Stack>
  )
}
