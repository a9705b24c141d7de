/** Chat with an experiment's model before and after fine-tuning, side by side, as answers stream in. */
import CopyIcon from '@mui/icons-material/ContentCopy'
import DownloadIcon from '@mui/icons-material/Download'
import SendIcon from '@mui/icons-material/Send'
import TuneIcon from '@mui/icons-material/Tune'
import StopIcon from '@mui/icons-material/Stop'
import {
  Alert,
  Box,
  Button,
  CircularProgress,
  FormControl,
  IconButton,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ChatSide } from '../../../../src-shared/chat'
import type { GenerationSettings } from '../../../../src-shared/inference-protocol'
import { useApi, useQuery } from '../../api/context'
import { PageHeader } from '../../components/PageHeader'
import { downloadText } from '../../download'
import { SettingsDrawer } from './SettingsDrawer'
import { useChat, type Turn } from './use-chat'

function transcriptMarkdown(turns: Turn[], labels: Record<ChatSide | 'user', string>): string {
  return turns
    .map((t) => `### ${labels.user}\n\n${t.prompt}\n\n### ${labels.before}\n\n${t.answers.before.text}\n\n### ${labels.after}\n\n${t.answers.after.text}\n`)
    .join('\n')
}

function Pane({ side, turns }: { side: ChatSide; turns: Turn[] }) {
  const { t } = useTranslation()
  return (
    <Paper variant="outlined" sx={{ p: 2, minHeight: 320, display: 'flex', flexDirection: 'column', gap: 2 }} data-testid={`pane-${side}`}>
      <Typography variant="subtitle1">{t(`chat.${side}`)}</Typography>
      <Typography variant="caption" color="text.secondary">
        {t(`chat.${side}Help`)}
      </Typography>
      {turns.map((turn) => {
        const answer = turn.answers[side]
        return (
          <Stack key={turn.turn} spacing={1}>
            <Box sx={{ alignSelf: 'flex-end', bgcolor: 'action.selected', px: 1.5, py: 1, borderRadius: 2, maxWidth: '90%', whiteSpace: 'pre-wrap' }}>{turn.prompt}</Box>
            {answer.error ? (
              <Alert severity="warning">{answer.error}</Alert>
            ) : (
              <Box sx={{ bgcolor: 'action.hover', px: 1.5, py: 1, borderRadius: 2, maxWidth: '90%', whiteSpace: 'pre-wrap', minHeight: 36 }} data-testid={`answer-${side}`} data-streaming={answer.streaming}>
                {answer.text}
                {answer.streaming && <CircularProgress size={12} sx={{ ml: 1 }} />}
              </Box>
            )}
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              {answer.info && (
                <Typography variant="caption" color="text.secondary">
                  {answer.info}
                </Typography>
              )}
              {answer.text && !answer.streaming && (
                <Tooltip title={t('chat.copy')}>
                  <IconButton size="small" aria-label={t('chat.copy')} onClick={() => void navigator.clipboard.writeText(answer.text)}>
                    <CopyIcon fontSize="inherit" />
                  </IconButton>
                </Tooltip>
              )}
            </Stack>
          </Stack>
        )
      })}
    </Paper>
  )
}

export function ChatPage() {
  const { t } = useTranslation()
  const api = useApi()
  const [experiments] = useQuery((client) => client.experiments.list(), [])
  const [experimentId, setExperimentId] = useState<string>('')
  const [chatId, setChatId] = useState<string>('')
  const [chats, reloadChats] = useQuery((client) => (experimentId ? client.chat.list({ experimentId }) : Promise.resolve([])), [experimentId])
  const [loadedSettings] = useQuery((client) => (experimentId ? client.chat.settings({ experimentId }) : Promise.resolve(null)), [experimentId])
  const [overrides, setOverrides] = useState<Partial<GenerationSettings>>({})
  const settings = loadedSettings.state === 'ready' && loadedSettings.value ? { ...loadedSettings.value, ...overrides } : null
  const [drawerOpen, setDrawerOpen] = useState(false)
  const [prompt, setPrompt] = useState('')
  const [error, setError] = useState<string | null>(null)
  const chat = useChat(chatId || null)


  const send = async () => {
    const text = prompt.trim()
    if (!text || !experimentId) return
    setPrompt('')
    try {
      let id = chatId
      if (!id) {
        id = (await api.chat.create({ experimentId, title: text.slice(0, 60) })).id
        setChatId(id)
        reloadChats()
      }
      await chat.send(id, text, settings ?? {})
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  const labels = { user: t('chat.you'), before: t('chat.before'), after: t('chat.after') }
  return (
    <Box>
      <PageHeader
        title={t('chat.title')}
        actions={
          <Stack direction="row" spacing={1}>
            <Button startIcon={<TuneIcon />} disabled={!settings} onClick={() => setDrawerOpen(true)} data-testid="chat-settings">
              {t('chat.settings')}
            </Button>
            <Button
              startIcon={<DownloadIcon />}
              disabled={chat.turns.length === 0}
              onClick={() => downloadText('chat.md', transcriptMarkdown(chat.turns, labels), 'text/markdown')}
            >
              {t('chat.export')}
            </Button>
          </Stack>
        }
      />
      <Stack spacing={2}>
        <Stack direction="row" spacing={2}>
          <FormControl sx={{ minWidth: 280 }} size="small">
            <InputLabel id="chat-experiment">{t('chat.experiment')}</InputLabel>
            <Select
              labelId="chat-experiment"
              label={t('chat.experiment')}
              value={experimentId}
              data-testid="chat-experiment"
              onChange={(event) => {
                setExperimentId(event.target.value)
                setChatId('')
                setOverrides({})
                setError(null)
              }}
            >
              {experiments.state === 'ready' &&
                experiments.value.map((e) => (
                  <MenuItem key={e.id} value={e.id}>
                    {e.name} · {t(`status.${e.status}`)}
                  </MenuItem>
                ))}
            </Select>
          </FormControl>
          <FormControl sx={{ minWidth: 280 }} size="small" disabled={!experimentId}>
            <InputLabel id="chat-transcript">{t('chat.transcript')}</InputLabel>
            <Select labelId="chat-transcript" label={t('chat.transcript')} value={chatId} data-testid="chat-transcript" onChange={(event) => setChatId(event.target.value)}>
              <MenuItem value="">{t('chat.newChat')}</MenuItem>
              {chats.state === 'ready' &&
                chats.value.map((c) => (
                  <MenuItem key={c.id} value={c.id}>
                    {c.title}
                  </MenuItem>
                ))}
            </Select>
          </FormControl>
        </Stack>
        {!experimentId && <Alert severity="info">{t('chat.pickExperiment')}</Alert>}
        {error && <Alert severity="error">{error}</Alert>}
        {loadedSettings.state === 'error' && <Alert severity="error">{loadedSettings.message}</Alert>}
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
          <Pane side="before" turns={chat.turns} />
          <Pane side="after" turns={chat.turns} />
        </Box>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
          <TextField
            fullWidth
            multiline
            maxRows={6}
            placeholder={t('chat.placeholder')}
            value={prompt}
            disabled={!experimentId}
            onChange={(event) => setPrompt(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault()
                void send()
              }
            }}
            slotProps={{ htmlInput: { 'data-testid': 'chat-input' } }}
          />
          {chat.streaming ? (
            <Button variant="outlined" color="warning" startIcon={<StopIcon />} onClick={chat.stop} data-testid="chat-stop" sx={{ height: 56 }}>
              {t('chat.stop')}
            </Button>
          ) : (
            <Button variant="contained" endIcon={<SendIcon />} disabled={!experimentId || prompt.trim() === ''} onClick={() => void send()} data-testid="chat-send" sx={{ height: 56 }}>
              {t('chat.send')}
            </Button>
          )}
        </Stack>
      </Stack>
      {settings && <SettingsDrawer open={drawerOpen} settings={settings} onChange={(next) => setOverrides(next)} onClose={() => setDrawerOpen(false)} />}
    </Box>
  )
}
