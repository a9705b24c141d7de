/** The first rows of a dataset, every column, long values clipped; messages lists shown turn by turn. */
import { Paper, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { ColumnKind } from '../../../../src-shared/datasets'

const MAX_CHARS = 300

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((m) => m && typeof m === 'object' && 'role' in m)) {
    return value.map((m: { role: unknown; content: unknown }) => `${String(m.role)}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`).join('\n')
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function clip(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text
}

export function PreviewTable({ columns, kinds, rows }: { columns: string[]; kinds: Record<string, ColumnKind>; rows: Record<string, unknown>[] }) {
  const { t } = useTranslation()
  return (
    <TableContainer component={Paper} variant="outlined" sx={{ maxHeight: 480 }}>
      <Table size="small" stickyHeader data-testid="dataset-preview">
        <TableHead>
          <TableRow>
            <TableCell align="right">{t('datasets.preview.row')}</TableCell>
            {columns.map((column) => (
              <TableCell key={column}>
                {column}
                <Typography variant="caption" color="text.secondary" component="div">
                  {kinds[column] ? t(`datasets.kinds.${kinds[column]}`) : ''}
                </Typography>
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={i} data-testid="dataset-preview-row">
              <TableCell align="right" sx={{ color: 'text.secondary' }}>
                {i + 1}
              </TableCell>
              {columns.map((column) => (
                <TableCell key={column} sx={{ whiteSpace: 'pre-wrap', verticalAlign: 'top', minWidth: 120, maxWidth: 480 }}>
                  {clip(cellText(row[column]))}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  )
}
