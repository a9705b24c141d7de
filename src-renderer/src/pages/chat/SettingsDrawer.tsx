/** Generation settings for the chat, starting from the experiment's prediction section. */
import { Box, Drawer, FormControlLabel, Stack, Switch, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material'
import { useTranslation } from 'react-i18next'
import type { ChatTemplateStatus } from '../../../../src-shared/chat'
import type { GenerationSettings, PromptFormat } from '../../../../src-shared/inference-protocol'

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

interface PromptFormatProps {
  promptFormat: PromptFormat
  chatTemplate: ChatTemplateStatus | null
  onPromptFormat: (format: PromptFormat) => void
}

/** As training, or the backbone's chat template (disabled, with the reason, when it has none). */
function PromptFormatSwitch({ promptFormat, chatTemplate, onPromptFormat }: PromptFormatProps) {
  const { t } = useTranslation()
  return (
    <Stack spacing={1}>
      <Typography variant="subtitle2">{t('chat.promptFormat')}</Typography>
      <ToggleButtonGroup
        exclusive
        fullWidth
        size="small"
        sx={{ '& .MuiToggleButton-root': { textTransform: 'none' } }}
        value={promptFormat}
        onChange={(_, value: PromptFormat | null) => value && onPromptFormat(value)}
        aria-label={t('chat.promptFormat')}
      >
        <ToggleButton value="training" data-testid="prompt-format-training">
          {t('chat.promptFormatTraining')}
        </ToggleButton>
        <ToggleButton value="chatTemplate" disabled={!chatTemplate?.available} data-testid="prompt-format-template">
          {t('chat.promptFormatTemplate')}
        </ToggleButton>
      </ToggleButtonGroup>
      <Typography variant="caption" color="text.secondary">
        {t('chat.promptFormatHelp')}
      </Typography>
      {chatTemplate?.reason && (
        <Typography variant="caption" color="warning.main" data-testid="prompt-format-reason">
          {t(`chat.templateReason.${chatTemplate.reason}`)}
        </Typography>
      )}
    </Stack>
  )
}

interface SettingsDrawerProps extends PromptFormatProps {
  open: boolean
  settings: GenerationSettings
  onChange: (s: GenerationSettings) => void
  onClose: () => void
}

export function SettingsDrawer({ open, settings, onChange, onClose, ...format }: SettingsDrawerProps) {
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
          <PromptFormatSwitch {...format} />
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
