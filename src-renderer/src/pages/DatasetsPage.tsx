import { Alert, Box, LinearProgress, Paper, Stack, Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from '@mui/material'
import { useTranslation } from 'react-i18next'
import { useQuery } from '../api/context'
import { NotBuilt } from '../components/NotBuilt'
import { PageHeader } from '../components/PageHeader'
import { useFormat } from '../format'

export function DatasetsPage() {
  const { t } = useTranslation()
  const format = useFormat()
  const [datasets] = useQuery((api) => api.datasets.list(), [])
  return (
    <Box>
      <PageHeader
        title={t('datasets.title')}
        subtitle={datasets.state === 'ready' ? t('datasets.count', { count: datasets.value.length }) : undefined}
      />
      <Stack spacing={2}>
        <NotBuilt what={t('datasets.planned')} />
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
                </TableRow>
              </TableHead>
              <TableBody>
                {datasets.value.map((dataset) => (
                  <TableRow key={dataset.id} hover>
                    <TableCell>{dataset.name}</TableCell>
                    <TableCell>{dataset.format.toUpperCase()}</TableCell>
                    <TableCell align="right">{format.integer(dataset.rows)}</TableCell>
                    <TableCell>{dataset.columns.join(', ')}</TableCell>
                    <TableCell>{format.dateTime(dataset.createdAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </Stack>
    </Box>
  )
}
