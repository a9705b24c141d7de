/** Where the Hugging Face token comes from; in the desktop app, keep or forget one. The token is never shown. */
import { Alert, Button, Stack, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useApi, useQuery } from '../../api/context'
import { errorText, type ErrorText } from '../../api/errors'

/** `onChange`: the token was kept or forgotten (a dialog that needs one checks again). */
export function HubTokenPanel({ onChange }: { onChange?: () => void } = {}) {
  const { t } = useTranslation()
  const api = useApi()
  const [status, reload] = useQuery((client) => client.hub.tokenStatus(), [])
  const [token, setToken] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)

  const save = async (value: string | null) => {
    setMessage(null)
    try {
      await api.hub.setToken({ token: value })
      setToken('')
      setMessage({ ok: true, text: value === null ? t('hub.token.forgotten') : t('hub.token.saved') })
      reload()
      onChange?.()
    } catch (e) {
      const error: ErrorText = errorText(t, e)
      setMessage({ ok: false, text: error.text })
    }
  }
  if (status.state !== 'ready') return null
  const { source, canStore } = status.value
  return (
    <Stack spacing={1} data-testid="hub-token">
      <Typography variant="subtitle2">{t('hub.token.label')}</Typography>
      <Typography variant="body2" color="text.secondary" data-testid="hub-token-status">
        {source === 'env' ? t('hub.token.fromEnv') : source === 'stored' ? t('hub.token.stored') : t('hub.token.none')}
        {source === 'none' && !canStore && ` ${t('hub.token.webHint')}`}
      </Typography>
      {canStore && source !== 'env' && (
        <Stack direction="row" spacing={1}>
          <TextField size="small" type="password" autoComplete="off" label={t('hub.token.input')} value={token} onChange={(e) => setToken(e.target.value)} sx={{ minWidth: 360 }} />
          <Button variant="outlined" disabled={token.trim() === ''} onClick={() => void save(token)}>
            {t('hub.token.save')}
          </Button>
          {source === 'stored' && <Button onClick={() => void save(null)}>{t('hub.token.forget')}</Button>}
        </Stack>
      )}
      {message && <Alert severity={message.ok ? 'success' : 'error'}>{message.text}</Alert>}
    </Stack>
  )
}
