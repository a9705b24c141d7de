/**
 * Token lengths with a backbone's tokenizer: the backbone folder and the three max lengths (defaults as the
 * Config has them), a histogram, and the share of rows each limit would cut.
 */
import { Alert, Box, Button, Stack, TextField, Typography } from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TokenLengthStats } from '../../../../src-shared/datasets'
import { useApi } from '../../api/context'
import { errorText, type ErrorText } from '../../api/errors'
import { useFormat } from '../../format'
import { TokenHistogram } from './TokenHistogram'

const BACKBONE_KEY = 'finetune-studio.tokenBackbone'

export function TokenLengthPanel({ datasetId, mappingVersion }: { datasetId: string; mappingVersion: string }) {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [backbone, setBackbone] = useState(() => localStorage.getItem(BACKBONE_KEY) ?? '')
  const [limits, setLimits] = useState({ maxLengthPrompt: 128, maxLengthAnswer: 128, maxLength: 256 })
  const [result, setResult] = useState<{ key: string; stats: TokenLengthStats } | null>(null)
  const [error, setError] = useState<ErrorText | null>(null)
  const [busy, setBusy] = useState(false)
  const key = `${datasetId}|${mappingVersion}`

  const measure = async () => {
    setBusy(true)
    setError(null)
    localStorage.setItem(BACKBONE_KEY, backbone)
    try {
      setResult({ key, stats: await api.datasets.tokenLengths({ id: datasetId, backbone: backbone.trim(), ...limits }) })
    } catch (e) {
      setError(errorText(t, e))
    } finally {
      setBusy(false)
    }
  }
  // A result for another dataset or mapping is stale.
  const stats = result?.key === key ? result.stats : null
  const limitField = (name: keyof typeof limits) => (
    <TextField
      size="small"
      type="number"
      label={t(`datasets.tokens.${name}`)}
      value={limits[name]}
      onChange={(e) => setLimits({ ...limits, [name]: Math.max(1, Math.round(Number(e.target.value) || 1)) })}
      slotProps={{ htmlInput: { min: 1, 'data-testid': `tokens-${name}` } }}
      sx={{ width: 260 }}
    />
  )
  const share = (v: number) => format.percent(v)
  return (
    <Stack spacing={2} data-testid="token-panel">
      <Typography variant="body2" color="text.secondary">
        {t('datasets.tokens.help')}
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField
          size="small"
          label={t('datasets.tokens.backbone')}
          helperText={t('datasets.tokens.backboneHelp')}
          value={backbone}
          onChange={(e) => setBackbone(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'tokens-backbone' } }}
          sx={{ minWidth: 360, flexGrow: 1 }}
        />
        {limitField('maxLengthPrompt')}
        {limitField('maxLengthAnswer')}
        {limitField('maxLength')}
        <Button variant="outlined" disabled={busy || backbone.trim() === ''} onClick={() => void measure()} data-testid="tokens-measure">
          {busy ? t('datasets.tokens.measuring') : t('datasets.tokens.measure')}
        </Button>
      </Stack>
      {error && (
        <Alert severity="error" data-testid="tokens-error">
          {error.text}
          {error.details && <Typography variant="caption" component="div">{error.details}</Typography>}
        </Alert>
      )}
      {stats && (
        <Stack spacing={1} data-testid="token-stats">
          <Typography variant="body2">{t('datasets.tokens.tokenizer', { name: stats.tokenizer, count: stats.rows })}</Typography>
          <Typography variant="body2">{t('datasets.tokens.stats', { mean: format.number(stats.total.mean, 3), p95: stats.total.p95, max: stats.total.max })}</Typography>
          <Box sx={{ height: 280 }}>
            <TokenHistogram stats={stats} />
          </Box>
          <Typography variant="body2" data-testid="tokens-cut-prompt">{t('datasets.tokens.cutPrompt', { share: share(stats.truncated.prompt) })}</Typography>
          <Typography variant="body2" data-testid="tokens-cut-answer">{t('datasets.tokens.cutAnswer', { share: share(stats.truncated.answer) })}</Typography>
          <Typography variant="body2" data-testid="tokens-cut-total">{t('datasets.tokens.cutTotal', { share: share(stats.truncated.total) })}</Typography>
          <Typography variant="body2" data-testid="tokens-cut-any" sx={{ fontWeight: 600 }}>{t('datasets.tokens.cutAny', { share: share(stats.truncated.any) })}</Typography>
          <Alert severity={stats.truncated.any > 0.05 ? 'warning' : 'success'}>
            {stats.truncated.any > 0.05 ? t('datasets.tokens.adviceCut') : t('datasets.tokens.adviceFits')}
          </Alert>
        </Stack>
      )}
    </Stack>
  )
}
