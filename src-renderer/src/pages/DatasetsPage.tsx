/** Datasets: import a file, the list of imported datasets, and the chosen one's mapping, preview and token lengths. */
import DeleteIcon from '@mui/icons-material/DeleteOutlined'
import {
  Alert,
  Box,
  IconButton,
  LinearProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { DatasetDetail } from '../../../src-shared/datasets'
import { useApi, useQuery } from '../api/context'
import { errorText, type ErrorText } from '../api/errors'
import { DatasetDetailPanel } from '../components/datasets/DatasetDetailPanel'
import { ImportButton, MAX_UPLOAD_BYTES } from '../components/datasets/ImportButton'
import { HubDatasetPanel } from '../components/hub/HubDatasetPanel'
import { HubModelPanel } from '../components/hub/HubModelPanel'
import { PageHeader } from '../components/PageHeader'
import { Section } from '../components/Section'
import { useFormat } from '../format'

type Notice = { severity: 'info' | 'success' | 'error'; text: string; details?: string | null }

export function DatasetsPage() {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [datasets, reload] = useQuery((client) => client.datasets.list(), [])
  const [selected, setSelected] = useState<DatasetDetail | null>(null)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [busy, setBusy] = useState(false)

  const show = async (id: string) => {
    try {
      setSelected(await api.datasets.get({ id }))
    } catch (error) {
      const e: ErrorText = errorText(t, error)
      setNotice({ severity: 'error', text: e.text, details: e.details })
    }
  }
  const remove = async (id: string, name: string) => {
    await api.datasets.delete({ id })
    if (selected?.summary.id === id) setSelected(null)
    setNotice({ severity: 'success', text: t('datasets.deleted', { name }) })
    reload()
  }
  const mb = (bytes: number) => format.number(bytes / 1024 / 1024, 3)

  return (
    <Box>
      <PageHeader
        title={t('datasets.title')}
        subtitle={datasets.state === 'ready' ? t('datasets.count', { count: datasets.value.length }) : undefined}
        actions={
          <ImportButton
            busy={busy}
            events={{
              onStart: (name) => {
                setBusy(true)
                setNotice({ severity: 'info', text: t('datasets.importing', { name }) })
              },
              onDone: (detail) => {
                setBusy(false)
                setSelected(detail)
                setNotice({ severity: 'success', text: t('datasets.imported', { name: detail.summary.name }) })
                reload()
              },
              onError: (error) => {
                setBusy(false)
                const e = errorText(t, error)
                setNotice({ severity: 'error', text: e.text, details: e.details })
              },
              onTooLarge: (name, bytes) => setNotice({ severity: 'error', text: t('datasets.tooLarge', { name, size: mb(bytes), limit: mb(MAX_UPLOAD_BYTES) }) }),
            }}
          />
        }
      />
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          {t('datasets.importHelp')}
        </Typography>
        {busy && <LinearProgress />}
        {notice && (
          <Alert severity={notice.severity} onClose={() => setNotice(null)} data-testid="dataset-notice">
            {notice.text}
            {notice.details && (
              <Typography variant="caption" component="div" sx={{ mt: 0.5 }}>
                {notice.details}
              </Typography>
            )}
          </Alert>
        )}
        {datasets.state === 'loading' && <LinearProgress />}
        {datasets.state === 'error' && <Alert severity="error">{t('common.error', { message: datasets.message })}</Alert>}
        {datasets.state === 'ready' && datasets.value.length === 0 && <Alert severity="info">{t('datasets.empty')}</Alert>}
        {datasets.state === 'ready' && datasets.value.length > 0 && (
          <TableContainer component={Paper} variant="outlined">
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>{t('datasets.columns.name')}</TableCell>
                  <TableCell>{t('datasets.columns.format')}</TableCell>
                  <TableCell align="right">{t('datasets.columns.rows')}</TableCell>
                  <TableCell>{t('datasets.columns.columns')}</TableCell>
                  <TableCell>{t('datasets.columns.created')}</TableCell>
                  <TableCell align="right">{t('datasets.columns.actions')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {datasets.value.map((dataset) => (
                  <TableRow
                    key={dataset.id}
                    hover
                    selected={selected?.summary.id === dataset.id}
                    onClick={() => void show(dataset.id)}
                    sx={{ cursor: 'pointer' }}
                    aria-label={t('datasets.select', { name: dataset.name })}
                    data-testid="dataset-row"
                  >
                    <TableCell>{dataset.name}</TableCell>
                    <TableCell>{dataset.format.toUpperCase()}</TableCell>
                    <TableCell align="right">{format.integer(dataset.rows)}</TableCell>
                    <TableCell>{dataset.columns.join(', ')}</TableCell>
                    <TableCell>{format.dateTime(dataset.createdAt)}</TableCell>
                    <TableCell align="right">
                      <IconButton
                        size="small"
                        aria-label={t('datasets.delete', { name: dataset.name })}
                        onClick={(event) => {
                          event.stopPropagation()
                          void remove(dataset.id, dataset.name)
                        }}
                        data-testid="dataset-delete"
                      >
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        <Section title={t('hub.datasetTitle')}>
          <HubDatasetPanel
            onImported={(detail) => {
              setSelected(detail)
              setNotice({ severity: 'success', text: t('datasets.imported', { name: detail.summary.name }) })
              reload()
            }}
          />
        </Section>
        {selected && <DatasetDetailPanel key={selected.summary.id} detail={selected} onChange={setSelected} />}
        <Section title={t('hub.modelTitle')}>
          <HubModelPanel />
        </Section>
      </Stack>
    </Box>
  )
}
