/**
 * Settings: the OpenAI-compatible endpoint of the "OpenAI API" metric. Base URL and model are edited here;
 * the key is typed here only in the desktop app (kept encrypted), never shown, and in the web host comes
 * from OPENAI_API_KEY. Only where the key comes from is displayed.
 */
import { Alert, Button, Stack, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useApi, useQuery } from '../../api/context'
import { errorText } from '../../api/errors'
import type { JudgeEndpointStatus } from '../../../../src-shared/settings'

export function JudgeEndpointPanel() {
  const [status, reload] = useQuery((client) => client.settings.judgeEndpoint(), [])
  if (status.state !== 'ready') return null
  return <JudgeEndpointForm loaded={status.value} reload={reload} />
}

function JudgeEndpointForm({ loaded, reload }: { loaded: JudgeEndpointStatus; reload: () => void }) {
  const { t } = useTranslation()
  const api = useApi()
  const [baseUrl, setBaseUrl] = useState(loaded.baseUrl)
  const [model, setModel] = useState(loaded.model)
  const [apiKey, setApiKey] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)

  const save = async (key: string | null | undefined) => {
    setMessage(null)
    try {
      await api.settings.setJudgeEndpoint({ baseUrl, model, ...(key !== undefined ? { apiKey: key } : {}) })
      setApiKey('')
      setMessage({ ok: true, text: key === null ? t('settings.judge.keyForgotten') : t('settings.judge.saved') })
      reload()
    } catch (e) {
      setMessage({ ok: false, text: errorText(t, e).text })
    }
  }
  const keyText = loaded.keySource === 'env' ? t('settings.judge.keyFromEnv') : loaded.keySource === 'stored' ? t('settings.judge.keyStored') : t('settings.judge.keyNone')
  return (
    <Stack spacing={2} data-testid="judge-endpoint">
      <Typography variant="subtitle1">{t('settings.judge.title')}</Typography>
      <Typography variant="body2" color="text.secondary">
        {t('settings.judge.help')}
      </Typography>
      <TextField size="small" label={t('settings.judge.baseUrl')} placeholder={t('settings.judge.baseUrlExample')} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'judge-base-url' } }} />
      <TextField size="small" label={t('settings.judge.model')} placeholder={t('settings.judge.modelExample')} value={model} onChange={(e) => setModel(e.target.value)} helperText={t('settings.judge.modelHelp')} slotProps={{ htmlInput: { 'data-testid': 'judge-model' } }} />
      <Typography variant="body2" color="text.secondary" data-testid="judge-key-status">
        {keyText}
        {loaded.keySource !== 'env' && !loaded.canStoreKey && ` ${t('settings.judge.webHint')}`}
      </Typography>
      {loaded.canStoreKey && loaded.keySource !== 'env' && (
        <TextField size="small" type="password" autoComplete="off" label={t('settings.judge.key')} value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
      )}
      <Stack direction="row" spacing={1}>
        <Button variant="outlined" data-testid="judge-save" onClick={() => void save(apiKey.trim() === '' ? undefined : apiKey)}>
          {t('settings.judge.save')}
        </Button>
        {loaded.keySource === 'stored' && <Button onClick={() => void save(null)}>{t('settings.judge.forgetKey')}</Button>}
      </Stack>
      {message && <Alert severity={message.ok ? 'success' : 'error'}>{message.text}</Alert>}
    </Stack>
  )
}
