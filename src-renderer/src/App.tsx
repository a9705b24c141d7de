import ChatIcon from '@mui/icons-material/ChatOutlined'
import ExperimentsIcon from '@mui/icons-material/ScienceOutlined'
import DatasetsIcon from '@mui/icons-material/TableChartOutlined'
import NewIcon from '@mui/icons-material/AddCircleOutlineOutlined'
import SettingsIcon from '@mui/icons-material/SettingsOutlined'
import {
  AppBar,
  Box,
  CssBaseline,
  Drawer,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  ThemeProvider,
  Toolbar,
  Typography,
  useMediaQuery,
} from '@mui/material'
import { useMemo, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { EngineChip } from './components/EngineChip'
import { RunNotifier } from './components/RunNotifier'
import { ChatPage } from './pages/chat/ChatPage'
import { ComparePage } from './pages/ComparePage'
import { DatasetsPage } from './pages/DatasetsPage'
import { ExperimentsPage } from './pages/ExperimentsPage'
import { NewExperimentPage } from './pages/new-experiment/NewExperimentPage'
import { SettingsPage } from './pages/SettingsPage'
import { ExperimentDetailPage } from './pages/experiment/ExperimentDetailPage'
import { useRoute, useRouteParam, type Route } from './routes'
import { buildTheme, storedThemeSetting, storeThemeSetting, type ThemeSetting } from './theme'

const DRAWER_WIDTH = 232

const navigation: { route: Route; labelKey: string; icon: ReactNode }[] = [
  { route: 'datasets', labelKey: 'nav.datasets', icon: <DatasetsIcon /> },
  { route: 'new-experiment', labelKey: 'nav.newExperiment', icon: <NewIcon /> },
  { route: 'experiments', labelKey: 'nav.experiments', icon: <ExperimentsIcon /> },
  { route: 'chat', labelKey: 'nav.chat', icon: <ChatIcon /> },
  { route: 'settings', labelKey: 'nav.settings', icon: <SettingsIcon /> },
]

export function App() {
  const { t } = useTranslation()
  const [route, navigate] = useRoute()
  const routeParam = useRouteParam()
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)')
  const [themeSetting, setThemeSetting] = useState<ThemeSetting>(storedThemeSetting)
  const mode = themeSetting === 'system' ? (prefersDark ? 'dark' : 'light') : themeSetting
  const theme = useMemo(() => buildTheme(mode), [mode])

  const page = (() => {
    switch (route) {
      case 'datasets':
        return <DatasetsPage />
      case 'new-experiment':
        return <NewExperimentPage />
      case 'experiments':
        return routeParam ? <ExperimentDetailPage id={routeParam} /> : <ExperimentsPage />
      case 'compare':
        return <ComparePage ids={(routeParam ?? '').split(',').filter(Boolean)} />
      case 'chat':
        return <ChatPage />
      case 'settings':
        return (
          <SettingsPage
            theme={themeSetting}
            onThemeChange={(next) => {
              storeThemeSetting(next)
              setThemeSetting(next)
            }}
          />
        )
    }
  })()

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <RunNotifier />
      <Box sx={{ display: 'flex', minHeight: '100vh' }} data-theme-mode={mode}>
        <AppBar position="fixed" color="default" elevation={0} sx={{ zIndex: (z) => z.zIndex.drawer + 1, borderBottom: 1, borderColor: 'divider' }}>
          <Toolbar sx={{ gap: 2 }}>
            <Typography variant="h6" component="div" sx={{ flexGrow: 1, fontWeight: 600 }}>
              {t('app.title')}
            </Typography>
            <EngineChip />
          </Toolbar>
        </AppBar>
        <Drawer variant="permanent" sx={{ width: DRAWER_WIDTH, flexShrink: 0, '& .MuiDrawer-paper': { width: DRAWER_WIDTH, boxSizing: 'border-box' } }}>
          <Toolbar />
          <List component="nav" aria-label={t('nav.menu')}>
            {navigation.map((item) => (
              <ListItemButton key={item.route} selected={route === item.route || (route === 'compare' && item.route === 'experiments')} onClick={() => navigate(item.route)} data-testid={`nav-${item.route}`}>
                <ListItemIcon>{item.icon}</ListItemIcon>
                <ListItemText primary={t(item.labelKey)} />
              </ListItemButton>
            ))}
          </List>
        </Drawer>
        <Box component="main" sx={{ flexGrow: 1, p: 3, minWidth: 0 }}>
          <Toolbar />
          {page}
        </Box>
      </Box>
    </ThemeProvider>
  )
}
