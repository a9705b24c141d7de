import { createTheme, type Theme } from '@mui/material'

export type ThemeSetting = 'system' | 'light' | 'dark'
const STORAGE_KEY = 'finetune-studio.theme'

export function storedThemeSetting(): ThemeSetting {
  const stored = localStorage.getItem(STORAGE_KEY)
  return stored === 'light' || stored === 'dark' ? stored : 'system'
}

export function storeThemeSetting(setting: ThemeSetting): void {
  if (setting === 'system') localStorage.removeItem(STORAGE_KEY)
  else localStorage.setItem(STORAGE_KEY, setting)
}

export function buildTheme(mode: 'light' | 'dark'): Theme {
  return createTheme({
    palette: { mode, primary: { main: mode === 'light' ? '#3457d5' : '#8ea6ff' } },
    shape: { borderRadius: 8 },
    typography: {
      fontFamily:
        'system-ui, -apple-system, "Segoe UI", Roboto, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", Meiryo, sans-serif',
    },
    components: { MuiButton: { defaultProps: { disableElevation: true } } },
  })
}
