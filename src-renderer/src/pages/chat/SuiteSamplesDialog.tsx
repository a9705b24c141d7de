/** Pick validation samples (prompt + expected answer) of the experiment to save in its prompt suite. */
import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, List, ListItem, ListItemButton, ListItemIcon, ListItemText, Typography } from '@mui/material'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { NewSuitePrompt } from '../../../../src-shared/prompt-suite'
import { useApi } from '../../api/context'
import { errorText } from '../../api/errors'

export function SuiteSamplesDialog({ experimentId, onAdd, onClose }: { experimentId: string; onAdd: (prompts: NewSuitePrompt[]) => void; onClose: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  // Loaded here rather than with useQuery: its error keeps the code the catalog translates.
  const [samples, setSamples] = useState<{ state: 'loading' } | { state: 'ready'; value: NewSuitePrompt[] } | { state: 'error'; message: string }>({ state: 'loading' })
  useEffect(() => {
    let live = true
    api.suite.suggestions({ experimentId }).then(
      (value) => live && setSamples({ state: 'ready', value }),
      (error: unknown) => live && setSamples({ state: 'error', message: errorText(t, error).text }),
    )
    return () => {
      live = false
    }
  }, [api, experimentId, t])
  const [picked, setPicked] = useState<Set<number>>(new Set())
  const toggle = (index: number) =>
    setPicked((current) => {
      const next = new Set(current)
      if (next.has(index)) next.delete(index)
      else next.add(index)
      return next
    })
  const rows = samples.state === 'ready' ? samples.value : []
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth data-testid="suite-samples">
      <DialogTitle>{t('chat.suite.validationTitle')}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary">
          {t('chat.suite.validationHelp')}
        </Typography>
        {samples.state === 'loading' && <Typography>{t('common.loading')}</Typography>}
        {samples.state === 'error' && <Alert severity="warning">{samples.message}</Alert>}
        <List dense>
          {rows.map((row, index) => (
            <ListItem key={index} disablePadding>
              <ListItemButton onClick={() => toggle(index)} data-testid="suite-sample">
                <ListItemIcon>
                  <Checkbox edge="start" checked={picked.has(index)} tabIndex={-1} disableRipple />
                </ListItemIcon>
                <ListItemText primary={row.prompt} secondary={row.expected ?? t('chat.suite.noScore')} />
              </ListItemButton>
            </ListItem>
          ))}
        </List>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="contained" disabled={picked.size === 0} onClick={() => onAdd(rows.filter((_, i) => picked.has(i)))} data-testid="suite-add-selected">
          {t('chat.suite.addSelected', { count: picked.size })}
        </Button>
      </DialogActions>
    </Dialog>
  )
}
