/** When the run will not fit in the device's memory: by how much, and what to change, with numbers. */
import { Alert, AlertTitle, List, ListItem, ListItemText, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { Config } from '../../../../src-shared/config'
import type { AdvisedChange, FitAdvice } from '../../../../src-shared/memory-advice'
import { useFormat } from '../../format'

const GiB = 1024 ** 3

export function useAdviceText(config: Config): (change: AdvisedChange) => string {
  const { t } = useTranslation()
  const format = useFormat()
  return (change) => {
    const total = format.number(change.total / GiB, 3)
    const effective = config.training.batch_size * config.training.grad_accumulation
    const accumulation = change.change === 'batchSize' ? Math.ceil(effective / change.to) : 0
    return t(`newExperiment.memory.advice.${change.change}`, { to: String(change.to), total, accumulation })
  }
}

export function MemoryWarning({ config, advice }: { config: Config; advice: FitAdvice }) {
  const { t } = useTranslation()
  const format = useFormat()
  const text = useAdviceText(config)
  const { total, deviceBytes } = advice.estimate
  const plan = advice.single.length > 0 ? advice.single : (advice.combined ?? [])
  const enough = advice.single.length > 0 || (plan.length > 0 && plan.at(-1)!.total <= (deviceBytes ?? 0))
  return (
    <Alert severity="warning" data-testid="memory-warning">
      <AlertTitle>{t('newExperiment.memory.tooBig', { total: format.number(total / GiB, 3), device: format.number((deviceBytes ?? 0) / GiB, 3) })}</AlertTitle>
      <Typography variant="body2">{advice.single.length > 0 ? t('newExperiment.memory.anyOf') : enough ? t('newExperiment.memory.together') : t('newExperiment.memory.never')}</Typography>
      <List dense disablePadding data-testid="memory-advice">
        {plan.map((change) => (
          <ListItem key={change.change} disableGutters>
            <ListItemText primary={text(change)} />
          </ListItem>
        ))}
      </List>
    </Alert>
  )
}
