/** Before saving a run that will not fit in memory: the same warning, then go back or save anyway. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { Config } from '../../../../src-shared/config'
import type { FitAdvice } from '../../../../src-shared/memory-advice'
import { MemoryWarning } from './MemoryWarning'

export function SaveAnywayDialog({ config, advice, onCancel, onSave }: { config: Config; advice: FitAdvice; onCancel: () => void; onSave: () => void }) {
  const { t } = useTranslation()
  return (
    <Dialog open onClose={onCancel} maxWidth="sm" fullWidth data-testid="memory-confirm">
      <DialogTitle>{t('newExperiment.memory.confirmTitle')}</DialogTitle>
      <DialogContent>
        <MemoryWarning config={config} advice={advice} />
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onCancel} data-testid="memory-confirm-back">
          {t('newExperiment.memory.back')}
        </Button>
        <Button color="warning" onClick={onSave} data-testid="memory-confirm-save">
          {t('newExperiment.memory.saveAnyway')}
        </Button>
      </DialogActions>
    </Dialog>
  )
}
