import {
  Box,
  FormControl,
  FormHelperText,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '../api/context'
import { PageHeader } from '../components/PageHeader'
import { JudgeEndpointPanel } from '../components/settings/JudgeEndpointPanel'
import { setLanguageSetting, storedLanguageSetting, systemLanguage, type LanguageSetting } from '../i18n'
import type { ThemeSetting } from '../theme'

const languageNames = { en: 'English', ja: '日本語' } as const

export function SettingsPage({ theme, onThemeChange }: { theme: ThemeSetting; onThemeChange: (theme: ThemeSetting) => void }) {
  const { t } = useTranslation()
  const [language, setLanguage] = useState<LanguageSetting>(storedLanguageSetting())
  const [info] = useQuery((api) => api.system.info(), [])

  return (
    <Box>
      <PageHeader title={t('settings.title')} />
      <Stack spacing={3} sx={{ maxWidth: 640 }}>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Stack spacing={3}>
            <FormControl fullWidth>
              <InputLabel id="language-label">{t('settings.language')}</InputLabel>
              <Select
                labelId="language-label"
                label={t('settings.language')}
                value={language}
                data-testid="language-select"
                onChange={(event) => {
                  const next = event.target.value as LanguageSetting
                  setLanguage(next)
                  void setLanguageSetting(next)
                }}
              >
                <MenuItem value="system">{t('settings.languageSystem', { language: languageNames[systemLanguage()] })}</MenuItem>
                <MenuItem value="en">{languageNames.en}</MenuItem>
                <MenuItem value="ja">{languageNames.ja}</MenuItem>
              </Select>
              <FormHelperText>{t('settings.languageHelp')}</FormHelperText>
            </FormControl>
            <Stack spacing={1}>
              <Typography variant="subtitle2">{t('settings.theme')}</Typography>
              <ToggleButtonGroup exclusive size="small" value={theme} onChange={(_, value: ThemeSetting | null) => value && onThemeChange(value)}>
                <ToggleButton value="system">{t('settings.themeSystem')}</ToggleButton>
                <ToggleButton value="light">{t('settings.themeLight')}</ToggleButton>
                <ToggleButton value="dark">{t('settings.themeDark')}</ToggleButton>
              </ToggleButtonGroup>
            </Stack>
          </Stack>
        </Paper>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <JudgeEndpointPanel />
        </Paper>
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Typography variant="subtitle1" sx={{ mb: 1 }}>
            {t('settings.about')}
          </Typography>
          {info.state === 'loading' && <LinearProgress />}
          {info.state === 'ready' && (
            <Table size="small">
              <TableBody>
                <TableRow>
                  <TableCell>{t('settings.version')}</TableCell>
                  <TableCell>{info.value.version}</TableCell>
                </TableRow>
                <TableRow>
                  <TableCell>{t('settings.host')}</TableCell>
                  <TableCell>{info.value.host === 'electron' ? t('settings.hostElectron') : t('settings.hostWeb')}</TableCell>
                </TableRow>
                <TableRow>
                  <TableCell>{t('settings.dataDir')}</TableCell>
                  <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{info.value.dataDir}</TableCell>
                </TableRow>
                <TableRow>
                  <TableCell>{t('settings.platform')}</TableCell>
                  <TableCell>{info.value.platform}</TableCell>
                </TableRow>
              </TableBody>
            </Table>
          )}
        </Paper>
      </Stack>
    </Box>
  )
}
