/** The memory-fit estimate for a model's config.json under training settings the user can change here. */
import { Alert, Chip, FormControl, FormControlLabel, InputLabel, List, ListItem, ListItemText, MenuItem, Select, Stack, Switch, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { estimateMemory, type BackboneDtype, type MemoryBreakdown, type MemoryFitEstimate, type OptimizerName } from '../../../../src-shared/memory-fit'
import { errorMessage } from '../../api/errors'
import { useFormat } from '../../format'

const dtypes: BackboneDtype[] = ['float32', 'float16', 'bfloat16', 'int8', 'int4']
const optimizers: OptimizerName[] = ['AdamW', 'Adam', 'AdamW8bit', 'SGD', 'RMSprop', 'Adadelta']
const GiB = 1024 ** 3

export function MemoryFitPanel({ config }: { config: Record<string, unknown> }) {
  const { t } = useTranslation()
  const format = useFormat()
  const [s, setS] = useState({ dtype: 'float16' as BackboneDtype, lora: true, loraR: 4, optimizer: 'AdamW' as OptimizerName, batchSize: 4, maxLength: 256, gradientCheckpointing: false, deviceGiB: 16 })
  let estimate: MemoryFitEstimate | null = null
  let problem: string | null = null
  try {
    estimate = estimateMemory({ config, ...s, deviceBytes: s.deviceGiB * GiB })
  } catch (error) {
    problem = errorMessage(t, error)
  }
  const gib = (bytes: number) => format.number(bytes / GiB, 3)
  const int = (name: 'loraR' | 'batchSize' | 'maxLength' | 'deviceGiB', label: string) => (
    <TextField
      size="small"
      type="number"
      label={label}
      value={s[name]}
      onChange={(e) => setS({ ...s, [name]: Math.max(1, Number(e.target.value) || 1) })}
      slotProps={{ htmlInput: { min: 1, 'data-testid': `memory-${name}` } }}
      sx={{ width: 200 }}
    />
  )
  return (
    <Stack spacing={1.5} data-testid="memory-fit">
      <Typography variant="body2" color="text.secondary">
        {t('memory.help')}
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <FormControl size="small" sx={{ minWidth: 200 }}>
          <InputLabel id="memory-dtype-label">{t('memory.dtype')}</InputLabel>
          <Select labelId="memory-dtype-label" label={t('memory.dtype')} value={s.dtype} onChange={(e) => setS({ ...s, dtype: e.target.value as BackboneDtype })}>
            {dtypes.map((d) => (
              <MenuItem key={d} value={d}>
                {d}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl size="small" sx={{ minWidth: 200 }}>
          <InputLabel id="memory-optimizer-label">{t('memory.optimizer')}</InputLabel>
          <Select labelId="memory-optimizer-label" label={t('memory.optimizer')} value={s.optimizer} onChange={(e) => setS({ ...s, optimizer: e.target.value as OptimizerName })}>
            {optimizers.map((o) => (
              <MenuItem key={o} value={o}>
                {o}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControlLabel control={<Switch checked={s.lora} onChange={(e) => setS({ ...s, lora: e.target.checked })} />} label={t('memory.lora')} />
        {s.lora && int('loraR', t('memory.loraR'))}
        {int('batchSize', t('memory.batchSize'))}
        {int('maxLength', t('memory.maxLength'))}
        <FormControlLabel
          control={<Switch checked={s.gradientCheckpointing} onChange={(e) => setS({ ...s, gradientCheckpointing: e.target.checked })} data-testid="memory-checkpointing" />}
          label={t('memory.checkpointing')}
        />
        {int('deviceGiB', t('memory.device'))}
      </Stack>
      {problem && <Alert severity="info">{t('memory.unknownModel', { message: problem })}</Alert>}
      {estimate && (
        <Stack spacing={1}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography variant="body1" sx={{ fontWeight: 600 }} data-testid="memory-total">
              {t('memory.total', { total: gib(estimate.total), device: format.number(s.deviceGiB, 4) })}
            </Typography>
            <Chip size="small" color={estimate.fits ? 'success' : 'error'} label={estimate.fits ? t('memory.fits') : t('memory.tooBig')} data-testid="memory-verdict" />
          </Stack>
          <Typography variant="body2" color="text.secondary">
            {t('memory.parameters', { count: format.integer(estimate.parameters), trainable: format.integer(estimate.trainableParameters) })}
          </Typography>
          <Table size="small" sx={{ maxWidth: 420 }}>
            <TableBody>
              {(Object.keys(estimate.breakdown) as (keyof MemoryBreakdown)[]).map((part) => (
                <TableRow key={part}>
                  <TableCell>{t(`memory.parts.${part}`)}</TableCell>
                  <TableCell align="right">{t('memory.partValue', { value: gib(estimate.breakdown[part]) })}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {!estimate.fits && estimate.suggestions.length > 0 && (
            <>
              <Typography variant="subtitle2">{t('memory.suggestionsTitle')}</Typography>
              <List dense disablePadding data-testid="memory-suggestions">
                {estimate.suggestions.map((sug) => (
                  <ListItem key={sug.change} disableGutters>
                    <ListItemText primary={t(`memory.suggestions.${sug.change}`, { to: String(sug.to), total: gib(sug.total) })} />
                    {sug.fits && <Chip size="small" color="success" label={t('memory.fitsAfter')} />}
                  </ListItem>
                ))}
              </List>
            </>
          )}
        </Stack>
      )}
    </Stack>
  )
}
