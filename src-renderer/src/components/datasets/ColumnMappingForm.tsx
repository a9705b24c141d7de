/** Pick the prompt (one or more), answer, system and messages columns; every change is saved at once. */
import { Button, FormControl, InputLabel, MenuItem, Select, Stack, Typography, FormHelperText } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { ColumnMapping } from '../../../../src-shared/datasets'

const NONE = ''

function SingleColumn({ id, label, value, columns, onChange }: { id: string; label: string; value: string | null; columns: string[]; onChange: (v: string | null) => void }) {
  const { t } = useTranslation()
  return (
    <FormControl size="small" sx={{ minWidth: 200 }}>
      <InputLabel id={`${id}-label`}>{label}</InputLabel>
      <Select labelId={`${id}-label`} label={label} value={value ?? NONE} onChange={(e) => onChange(e.target.value === NONE ? null : e.target.value)} data-testid={id}>
        <MenuItem value={NONE}>{t('datasets.mapping.none')}</MenuItem>
        {columns.map((c) => (
          <MenuItem key={c} value={c}>
            {c}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  )
}

export function ColumnMappingForm({
  columns,
  mapping,
  guess,
  onChange,
}: {
  columns: string[]
  mapping: ColumnMapping
  guess: ColumnMapping
  onChange: (mapping: ColumnMapping) => void
}) {
  const { t } = useTranslation()
  const isGuess = JSON.stringify(mapping) === JSON.stringify(guess)
  return (
    <Stack spacing={1.5}>
      <Typography variant="body2" color="text.secondary">
        {t('datasets.mapping.help')}
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <FormControl size="small" sx={{ minWidth: 240 }}>
          <InputLabel id="mapping-prompt-label">{t('datasets.mapping.prompt')}</InputLabel>
          <Select
            labelId="mapping-prompt-label"
            label={t('datasets.mapping.prompt')}
            multiple
            value={mapping.prompt}
            onChange={(e) => onChange({ ...mapping, prompt: typeof e.target.value === 'string' ? e.target.value.split(',') : e.target.value })}
            data-testid="mapping-prompt"
          >
            {columns.map((c) => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{t('datasets.mapping.promptHelp')}</FormHelperText>
        </FormControl>
        <SingleColumn id="mapping-answer" label={t('datasets.mapping.answer')} value={mapping.answer} columns={columns} onChange={(answer) => onChange({ ...mapping, answer })} />
        <SingleColumn id="mapping-system" label={t('datasets.mapping.system')} value={mapping.system} columns={columns} onChange={(system) => onChange({ ...mapping, system })} />
        <SingleColumn id="mapping-messages" label={t('datasets.mapping.messages')} value={mapping.messages} columns={columns} onChange={(messages) => onChange({ ...mapping, messages })} />
        {!isGuess && (
          <Button onClick={() => onChange(guess)} data-testid="mapping-use-guess">
            {t('datasets.mapping.useGuess')}
          </Button>
        )}
      </Stack>
    </Stack>
  )
}
