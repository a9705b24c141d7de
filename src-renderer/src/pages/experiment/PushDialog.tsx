/**
 * Push an experiment's exported adapter or merged model to the Hugging Face Hub: repo name, private or
 * public, which export; per-file progress while it uploads, then the commit's URL. Without a token it says
 * where to set one instead of failing half-way.
 */
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, LinearProgress, Link, Radio, RadioGroup, Stack, Switch, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExportKind } from '../../../../src-shared/exports'
import { useApi, useQuery } from '../../api/context'
import { errorText } from '../../api/errors'
import { HubTokenPanel } from '../../components/hub/HubTokenPanel'

const REPO = /^[\w.-]+\/[\w.-]+$/

type PushState = { state: 'idle' } | { state: 'pushing'; files: Record<string, number> } | { state: 'done'; files: Record<string, number>; url: string } | { state: 'failed'; message: string }

/** A repo name the Hub accepts, from the experiment's name. */
function suggestedRepo(experimentName: string, kind: ExportKind): string {
  const base = experimentName.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'model'
  return `${base}-${kind === 'adapter' ? 'lora' : 'merged'}`
}

export function PushDialog({ experimentId, experimentName, kinds, onClose }: { experimentId: string; experimentName: string; kinds: ExportKind[]; onClose: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const [tokenStatus, reloadToken] = useQuery((client) => client.hub.tokenStatus(), [])
  const [kind, setKind] = useState<ExportKind>(kinds[0]!)
  const [owner, setOwner] = useState('')
  const [name, setName] = useState(suggestedRepo(experimentName, kinds[0]!))
  const [isPrivate, setPrivate] = useState(true)
  const [push, setPush] = useState<PushState>({ state: 'idle' })
  const repo = `${owner.trim()}/${name.trim()}`
  const noToken = tokenStatus.state === 'ready' && tokenStatus.value.source === 'none'
  const busy = push.state === 'pushing'

  const start = async () => {
    const files: Record<string, number> = {}
    setPush({ state: 'pushing', files })
    try {
      for await (const event of await api.hub.push({ experimentId, kind, repo, private: isPrivate })) {
        if (event.url) return setPush({ state: 'done', files: { ...files }, url: event.url })
        files[event.file] = event.progress
        setPush({ state: 'pushing', files: { ...files } })
      }
    } catch (error) {
      setPush({ state: 'failed', message: errorText(t, error).text })
    }
  }

  const fileRows = push.state === 'pushing' || push.state === 'done' ? Object.entries(push.files) : []
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="sm" fullWidth data-testid="push-dialog">
      <DialogTitle>{t('push.title')}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {noToken && (
            <Alert severity="warning" data-testid="push-no-token">
              {t('push.noToken')}
            </Alert>
          )}
          {noToken && <HubTokenPanel onChange={reloadToken} />}
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <TextField size="small" label={t('push.owner')} value={owner} onChange={(e) => setOwner(e.target.value)} disabled={busy} slotProps={{ htmlInput: { 'data-testid': 'push-owner' } }} sx={{ flex: 1 }} />
            <Typography>/</Typography>
            <TextField size="small" label={t('push.name')} value={name} onChange={(e) => setName(e.target.value)} disabled={busy} slotProps={{ htmlInput: { 'data-testid': 'push-name' } }} sx={{ flex: 2 }} />
          </Stack>
          {!REPO.test(repo) && owner.trim() !== '' && <Typography variant="caption" color="error">{t('push.badRepo')}</Typography>}
          <RadioGroup row value={kind} onChange={(e) => setKind(e.target.value as ExportKind)}>
            {(['adapter', 'merged'] as const).map((k) => (
              <FormControlLabel key={k} value={k} disabled={busy || !kinds.includes(k)} control={<Radio data-testid={`push-kind-${k}`} />} label={t(`experiment.folders.${k}`)} />
            ))}
          </RadioGroup>
          <FormControlLabel control={<Switch checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} disabled={busy} data-testid="push-private" />} label={t('push.private')} />
          {fileRows.length > 0 && (
            <Stack spacing={1} data-testid="push-files">
              {fileRows.map(([file, progress]) => (
                <Box key={file} data-testid="push-file">
                  <Typography variant="caption" sx={{ fontFamily: 'monospace' }}>
                    {file} — {Math.round(progress * 100)}%
                  </Typography>
                  <LinearProgress variant="determinate" value={progress * 100} />
                </Box>
              ))}
            </Stack>
          )}
          {busy && fileRows.length === 0 && <LinearProgress />}
          {push.state === 'done' && (
            <Alert severity="success" data-testid="push-done">
              {t('push.done')}{' '}
              <Link href={push.url} target="_blank" rel="noreferrer" data-testid="push-url">
                {push.url}
              </Link>
            </Alert>
          )}
          {push.state === 'failed' && (
            <Alert severity="error" data-testid="push-error">
              {push.message}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          {push.state === 'done' ? t('push.close') : t('push.cancel')}
        </Button>
        <Button variant="contained" onClick={() => void start()} disabled={busy || noToken || !REPO.test(repo) || push.state === 'done'} data-testid="push-start">
          {busy ? t('push.pushing') : t('push.start')}
        </Button>
      </DialogActions>
    </Dialog>
  )
}
