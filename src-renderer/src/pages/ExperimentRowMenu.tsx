/** The ⋯ menu of an experiment row: rename, clone, delete (each asks first where it cannot be undone). */
import MoreIcon from '@mui/icons-material/MoreVert'
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, IconButton, Menu, MenuItem, TextField } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExperimentSummary } from '../../../src-shared/entities'
import { useApi } from '../api/context'
import { errorMessage } from '../api/errors'

type Dialogs = 'rename' | 'delete' | null

export function ExperimentRowMenu({ experiment, onChanged, onError }: { experiment: ExperimentSummary; onChanged: () => void; onError: (message: string) => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const [anchor, setAnchor] = useState<HTMLElement | null>(null)
  const [dialog, setDialog] = useState<Dialogs>(null)
  const [name, setName] = useState(experiment.name)

  const run = async (action: () => Promise<unknown>) => {
    setAnchor(null)
    setDialog(null)
    try {
      await action()
    } catch (error) {
      onError(errorMessage(t, error))
    }
    onChanged()
  }

  return (
    <>
      <IconButton size="small" aria-label={t('experiments.menu.open')} data-testid="row-menu" onClick={(event) => setAnchor(event.currentTarget)}>
        <MoreIcon />
      </IconButton>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        <MenuItem
          data-testid="menu-rename"
          onClick={() => {
            setName(experiment.name)
            setAnchor(null)
            setDialog('rename')
          }}
        >
          {t('experiments.menu.rename')}
        </MenuItem>
        <MenuItem data-testid="menu-clone" onClick={() => void run(() => api.experiments.clone({ id: experiment.id }))}>
          {t('experiments.menu.clone')}
        </MenuItem>
        <MenuItem
          data-testid="menu-delete"
          disabled={experiment.status === 'running'}
          onClick={() => {
            setAnchor(null)
            setDialog('delete')
          }}
          sx={{ color: 'error.main' }}
        >
          {t('experiments.menu.delete')}
        </MenuItem>
      </Menu>

      <Dialog open={dialog === 'rename'} onClose={() => setDialog(null)} fullWidth maxWidth="xs">
        <DialogTitle>{t('experiments.menu.rename')}</DialogTitle>
        <DialogContent>
          <TextField
            autoFocus
            fullWidth
            margin="dense"
            label={t('experiments.columns.name')}
            value={name}
            onChange={(event) => setName(event.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'rename-input' } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDialog(null)}>{t('common.cancel')}</Button>
          <Button variant="contained" data-testid="rename-confirm" disabled={name.trim() === ''} onClick={() => void run(() => api.experiments.rename({ id: experiment.id, name }))}>
            {t('experiments.menu.rename')}
          </Button>
        </DialogActions>
      </Dialog>

      <Dialog open={dialog === 'delete'} onClose={() => setDialog(null)} fullWidth maxWidth="xs">
        <DialogTitle>{t('experiments.menu.deleteTitle', { name: experiment.name })}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('experiments.menu.deleteBody')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDialog(null)}>{t('common.cancel')}</Button>
          <Button color="error" variant="contained" data-testid="delete-confirm" onClick={() => void run(() => api.experiments.delete({ id: experiment.id }))}>
            {t('experiments.menu.delete')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  )
}
