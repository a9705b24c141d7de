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
  Tab,
  Tabs,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material'
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { AfterModel, ChatSide } from '../../../../src-shared/chat'
import type { GenerationSettings, PromptFormat } from '../../../../src-shared/inference-protocol'
import { useApi, useQuery } from '../../api/context'
import { errorMessage } from '../../api/errors'
import { PageHeader } from '../../components/PageHeader'
import { downloadText } from '../../download'
import { useFormat } from '../../format'
import { PromptSuite } from './PromptSuite'
import { SettingsDrawer } from './SettingsDrawer'
import { useChat, type Turn } from './use-chat'

const CHECKPOINT_POLL_MS = 5000

function transcriptMarkdown(turns: Turn[], labels: Record<ChatSide | 'user', string>): string {
  return turns
    .map((t) => `### ${labels.user}\n\n${t.prompt}\n\n### ${labels.before}\n\n${t.answers.before.text}\n\n### ${labels.after}\n\n${t.answers.after.text}\n`)
    .join('\n')
}

/** What the after pane answers with: the adapter, a running experiment's checkpoint, or why it cannot. */
function AfterNote({ after }: { after: AfterModel | null }) {
  const { t } = useTranslation()
  const format = useFormat()
  if (after?.problem) {
    const sizes = { needed: format.number((after.neededBytes ?? 0) / 1024 ** 3, 3) + ' GB', free: format.number((after.freeBytes ?? 0) / 1024 ** 3, 3) + ' GB' }
    return (
      <Alert severity="info" data-testid="after-problem">
        {t(`chat.errors.${after.problem}`, sizes)}
      </Alert>
    )
  }
  const text =
    after?.source === 'checkpoint'
      ? after.epoch !== null
        ? t('chat.afterCheckpoint', { step: after.step, epoch: format.number(after.epoch, 3) })
        : t('chat.afterCheckpointStep', { step: after.step })
      : after?.source === 'merged'
        ? t('chat.afterMerged')
        : t('chat.afterHelp')
  return (
    <Typography variant="caption" color="text.secondary" data-testid="after-source">
      {text}
    </Typography>
  )
}

function Pane({ side, turns, note }: { side: ChatSide; turns: Turn[]; note: ReactNode }) {
  const { t } = useTranslation()
  return (
    <Paper variant="outlined" sx={{ p: 2, minHeight: 320, display: 'flex', flexDirection: 'column', gap: 2 }} data-testid={`pane-${side}`}>
      <Typography variant="subtitle1">{t(`chat.${side}`)}</Typography>
      {note}
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
  const [models, reloadModels] = useQuery((client) => (experimentId ? client.chat.models({ experimentId }) : Promise.resolve(null)), [experimentId])
  const after = models.state === 'ready' ? (models.value?.after ?? null) : null
  // While the experiment trains, look for newer checkpoints so the after pane's label stays current.
  const training = after?.source === 'checkpoint' || after?.problem === 'noCheckpointYet' || after?.problem === 'lowMemory'
  useEffect(() => {
    if (!training) return
    const timer = setInterval(reloadModels, CHECKPOINT_POLL_MS)
    return () => clearInterval(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reloadModels is a new function each render; the timer needs only these
  }, [training, experimentId])
  const [overrides, setOverrides] = useState<Partial<GenerationSettings>>({})
  const [promptFormat, setPromptFormat] = useState<PromptFormat>('training')
  const [tab, setTab] = useState<'chat' | 'suite'>('chat')
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
      // A running experiment may have saved a newer checkpoint since the last look.
      reloadModels()
      await chat.send(id, text, settings ?? {}, promptFormat)
      reloadModels()
    } catch (e) {
      setError(errorMessage(t, e))
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
                setPromptFormat('training')
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
        {experimentId && (
          <Tabs value={tab} onChange={(_, value: 'chat' | 'suite') => setTab(value)}>
            <Tab value="chat" label={t('chat.tabs.chat')} data-testid="tab-chat" />
            <Tab value="suite" label={t('chat.tabs.suite')} data-testid="tab-suite" />
          </Tabs>
        )}
        {tab === 'suite' && experimentId ? (
          <PromptSuite experimentId={experimentId} settings={settings ?? {}} promptFormat={promptFormat} onRan={reloadModels} />
        ) : (
          <>
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
              <Pane
                side="before"
                turns={chat.turns}
                note={
                  <Typography variant="caption" color="text.secondary">
                    {t('chat.beforeHelp')}
                  </Typography>
                }
              />
              <Pane side="after" turns={chat.turns} note={<AfterNote after={after} />} />
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
          </>
        )}
      </Stack>
      {settings && (
        <SettingsDrawer
          open={drawerOpen}
          settings={settings}
          onChange={(next) => setOverrides(next)}
          onClose={() => setDrawerOpen(false)}
          promptFormat={promptFormat}
          chatTemplate={models.state === 'ready' ? (models.value?.chatTemplate ?? null) : null}
          onPromptFormat={setPromptFormat}
        />
      )}
    </Box>
  )
}
