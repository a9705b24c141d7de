/**
 * One Config field as a form control, chosen by the field's widget kind: the form is generated from the
 * schema's metadata, never written field by field. Label and help come from the catalogs by field path.
 */
import InfoIcon from '@mui/icons-material/InfoOutlined'
import { Box, Checkbox, FormControlLabel, FormGroup, FormHelperText, FormLabel, IconButton, Stack, Switch, TextField, Tooltip } from '@mui/material'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { showValue, type ConfigField, type ConfigIssue } from '../../../../src-shared/config'
import type { DatasetSummary } from '../../../../src-shared/entities'
import { useIssueText } from './use-issue-text'
import { formatList, formatNumber, parseList, parseNumber, useTextMirror } from './text-mirror'

export interface FieldControlProps {
  field: ConfigField
  value: unknown
  onChange(value: unknown): void
  issue?: ConfigIssue
  datasets: DatasetSummary[]
}

const COLUMNS_LIST_ID = 'dataset-columns'

export function FieldControl(props: FieldControlProps) {
  const { field, issue } = props
  const { t } = useTranslation()
  const issueText = useIssueText()
  const label = t(`config.fields.${field.path}.label`)
  const help = t(`config.fields.${field.path}.help`)
  const facts = field.spec.generatedDefault
    ? t('newExperiment.fieldFactsGenerated', { path: field.path })
    : t('newExperiment.fieldFacts', { path: field.path, value: showValue(field.spec.defaultValue()) })
  const tooltip = (
    <Tooltip title={<Stack spacing={0.5}><span>{help}</span><span>{facts}</span></Stack>}>
      <IconButton size="small" aria-label={t('newExperiment.moreInfo', { label })} data-testid={`help-${field.path}`}>
        <InfoIcon fontSize="small" />
      </IconButton>
    </Tooltip>
  )
  return (
    <Box data-testid={`field-${field.path}`} data-widget={field.spec.widget} data-issue={issue?.severity ?? 'none'}>
      <Stack direction="row" spacing={0.5} sx={{ alignItems: 'flex-start' }}>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Control {...props} label={label} />
        </Box>
        {tooltip}
      </Stack>
      {issue && (
        <FormHelperText error={issue.severity === 'error'} sx={issue.severity === 'warning' ? { color: 'warning.main' } : undefined} data-testid={`issue-${field.path}`} data-severity={issue.severity}>
          {issueText(issue)}
        </FormHelperText>
      )}
      <FormHelperText>{help}</FormHelperText>
    </Box>
  )
}

function Control({ field, value, onChange, issue, datasets, label }: FieldControlProps & { label: string }) {
  const { t } = useTranslation()
  const { widget, choices, nullable, step } = field.spec
  const error = issue?.severity === 'error'
  switch (widget) {
    case 'switch':
      return <FormControlLabel control={<Switch checked={value === true} onChange={(e) => onChange(e.target.checked)} />} label={label} />
    case 'select':
      return (
        <NativeSelect label={label} error={error} value={value === null ? '' : String(value ?? '')} onChange={(v) => onChange(v === '' && nullable ? null : v)}>
          {nullable && <option value="">{t('newExperiment.noneOption')}</option>}
          {choices?.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </NativeSelect>
      )
    case 'multiSelect': {
      const selected = Array.isArray(value) ? value : []
      return (
        <Box>
          <FormLabel>{label}</FormLabel>
          <FormGroup row>
            {choices?.map((choice) => (
              <FormControlLabel
                key={choice}
                label={choice}
                control={
                  <Checkbox
                    checked={selected.includes(choice)}
                    // Keep the schema's order, whatever the click order.
                    onChange={(e) => onChange(choices.filter((c) => (c === choice ? e.target.checked : selected.includes(c))))}
                  />
                }
              />
            ))}
          </FormGroup>
        </Box>
      )
    }
    case 'dataset':
    case 'optionalDataset': {
      const current = value === null ? '' : String(value ?? '')
      const known = datasets.some((d) => d.id === current)
      return (
        <NativeSelect label={label} error={error} value={current} onChange={(v) => onChange(v === '' && widget === 'optionalDataset' ? null : v)}>
          <option value="">{t('newExperiment.noneOption')}</option>
          {current !== '' && !known && <option value={current}>{t('newExperiment.notImported', { value: current })}</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {t('newExperiment.datasetOption', { name: d.name, rows: d.rows })}
            </option>
          ))}
        </NativeSelect>
      )
    }
    case 'number':
    case 'integer':
      return <MirroredText label={label} error={error} value={value} onChange={onChange} format={formatNumber} parse={parseNumber} inputMode={widget === 'integer' ? 'numeric' : 'decimal'} step={step} />
    case 'textList':
    case 'columns':
      return <MirroredText label={label} error={error} value={value} onChange={onChange} format={formatList} parse={parseList} list={widget === 'columns' ? COLUMNS_LIST_ID : undefined} placeholder={t('newExperiment.listHint')} />
    default:
      return (
        <TextField
          fullWidth
          size="small"
          label={label}
          error={error}
          value={value === null || value === undefined ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' && nullable ? null : e.target.value)}
          slotProps={{ htmlInput: { list: widget === 'column' || widget === 'optionalColumn' ? COLUMNS_LIST_ID : undefined } }}
        />
      )
  }
}

function NativeSelect({ label, error, value, onChange, children }: { label: string; error: boolean; value: string; onChange(value: string): void; children: ReactNode }) {
  return (
    <TextField select fullWidth size="small" label={label} error={error} value={value} onChange={(e) => onChange(e.target.value)} slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}>
      {children}
    </TextField>
  )
}

interface MirroredTextProps {
  label: string
  error: boolean
  value: unknown
  onChange(value: unknown): void
  format(value: unknown): string
  parse(text: string): unknown
  inputMode?: 'numeric' | 'decimal'
  step?: number
  list?: string
  placeholder?: string
}

function MirroredText({ label, error, value, onChange, format, parse, inputMode, step, list, placeholder }: MirroredTextProps) {
  const [shown, type] = useTextMirror(value, format, parse)
  return (
    <TextField
      fullWidth
      size="small"
      label={label}
      error={error}
      value={shown}
      placeholder={placeholder}
      onChange={(e) => onChange(type(e.target.value))}
      slotProps={{ htmlInput: { inputMode, step, list } }}
    />
  )
}

/** Column names of the chosen training data, suggested to every column field: one datalist they share. */
export function ColumnSuggestions({ columns }: { columns: string[] }) {
  return (
    <datalist id={COLUMNS_LIST_ID}>
      {columns.map((column) => (
        <option key={column} value={column} />
      ))}
    </datalist>
  )
}
