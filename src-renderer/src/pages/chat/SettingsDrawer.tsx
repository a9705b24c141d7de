/** Generation settings for the chat, starting from the experiment's prediction section. */
import { Box, Drawer, FormControlLabel, Stack, Switch, TextField, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { GenerationSettings } from '../../../../src-shared/inference-protocol'

type NumberKey = 'maxNewTokens' | 'minNewTokens' | 'temperature' | 'topK' | 'topP' | 'repetitionPenalty' | 'maxTimeSeconds'
const numberFields: { key: NumberKey; step: number }[] = [
  { key: 'maxNewTokens', step: 16 },
  { key: 'minNewTokens', step: 1 },
  { key: 'temperature', step: 0.05 },
  { key: 'topK', step: 1 },
  { key: 'topP', step: 0.05 },
  { key: 'repetitionPenalty', step: 0.05 },
  { key: 'maxTimeSeconds', step: 1 },
]

export function SettingsDrawer({ open, settings, onChange, onClose }: { open: boolean; settings: GenerationSettings; onChange: (s: GenerationSettings) => void; onClose: () => void }) {
  const { t } = useTranslation()
  return (
    <Drawer anchor="right" open={open} onClose={onClose}>
      <Box sx={{ width: 320, p: 3 }}>
        <Typography variant="h6" sx={{ mb: 1 }}>
          {t('chat.settings')}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {t('chat.settingsHelp')}
        </Typography>
        <Stack spacing={2}>
          <FormControlLabel control={<Switch checked={settings.doSample} onChange={(e) => onChange({ ...settings, doSample: e.target.checked })} />} label={t('chat.fields.doSample')} />
          {numberFields.map(({ key, step }) => (
            <TextField
              key={key}
              type="number"
              size="small"
              label={t(`chat.fields.${key}`)}
              value={settings[key]}
              slotProps={{ htmlInput: { step, min: 0, 'data-testid': `chat-setting-${key}` } }}
              onChange={(e) => {
                const value = Number(e.target.value)
                if (Number.isFinite(value)) onChange({ ...settings, [key]: value })
              }}
            />
          ))}
        </Stack>
      </Box>
    </Drawer>
  )
}
