/**
 * The experiment's prompt suite: saved prompts (typed, or picked from its validation samples), "Run all" on
 * before and after with a progress bar and ETA, and each pair of answers with its BLEU score.
 */
import AddIcon from '@mui/icons-material/Add'
import DeleteIcon from '@mui/icons-material/Delete'
import PlaylistAddIcon from '@mui/icons-material/PlaylistAdd'
import PlayIcon from '@mui/icons-material/PlayArrow'
import StopIcon from '@mui/icons-material/Stop'
import { Alert, Box, Button, IconButton, LinearProgress, Paper, Stack, TextField, Tooltip, Typography } from '@mui/material'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { GenerationSettings, PromptFormat } from '../../../../src-shared/inference-protocol'
import type { NewSuitePrompt, SuiteProgress, SuitePrompt } from '../../../../src-shared/prompt-suite'
import { useApi, useQuery } from '../../api/context'
import { errorText } from '../../api/errors'
import { useFormat } from '../../format'
import { SuiteSamplesDialog } from './SuiteSamplesDialog'

function Answer({ label, text, score, hasExpected }: { label: string; text: string; score: number | null; hasExpected: boolean }) {
  const { t } = useTranslation()
  const format = useFormat()
  return (
    <Box sx={{ flex: 1, minWidth: 0 }}>
      <Typography variant="caption" color="text.secondary">
        {label} · {hasExpected && score !== null ? t('chat.suite.score', { score: format.number(score, 3) }) : t('chat.suite.noScore')}
      </Typography>
      <Box sx={{ bgcolor: 'action.hover', px: 1.5, py: 1, borderRadius: 2, whiteSpace: 'pre-wrap' }}>{text}</Box>
    </Box>
  )
}

function SuiteItem({ item, onRemove, disabled }: { item: SuitePrompt; onRemove: () => void; disabled: boolean }) {
  const { t } = useTranslation()
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="suite-item">
      <Stack spacing={1}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
          <Box sx={{ flex: 1 }}>
            <Typography variant="subtitle2">{t('chat.suite.prompt')}</Typography>
            <Typography sx={{ whiteSpace: 'pre-wrap' }}>{item.prompt}</Typography>
            {item.expected !== null && (
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'pre-wrap' }}>
                {t('chat.suite.expected')}: {item.expected}
              </Typography>
            )}
          </Box>
          <Tooltip title={t('chat.suite.remove')}>
            <span>
              <IconButton size="small" aria-label={t('chat.suite.remove')} disabled={disabled} onClick={onRemove}>
                <DeleteIcon fontSize="inherit" />
              </IconButton>
            </span>
          </Tooltip>
        </Stack>
        {item.result ? (
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} data-testid="suite-result">
            <Answer label={t('chat.before')} text={item.result.before} score={item.result.beforeScore} hasExpected={item.expected !== null} />
            <Answer label={t('chat.after')} text={item.result.after} score={item.result.afterScore} hasExpected={item.expected !== null} />
          </Stack>
        ) : (
          <Typography variant="caption" color="text.secondary">
            {t('chat.suite.notRun')}
          </Typography>
        )}
      </Stack>
    </Paper>
  )
}

interface PromptSuiteProps {
  experimentId: string
  settings: Partial<GenerationSettings>
  promptFormat: PromptFormat
  /** After a run: a running experiment may have a newer checkpoint. */
  onRan: () => void
}

export function PromptSuite({ experimentId, settings, promptFormat, onRan }: PromptSuiteProps) {
  const { t } = useTranslation()
  const api = useApi()
  const format = useFormat()
  const [items, reload] = useQuery((client) => client.suite.list({ experimentId }), [experimentId])
  const [config] = useQuery((client) => client.experiments.config({ id: experimentId }), [experimentId])
  const metric = config.state === 'ready' ? String((config.value as { prediction?: { metric?: unknown } }).prediction?.metric ?? 'BLEU') : 'BLEU'
  const [draft, setDraft] = useState('')
  const [picking, setPicking] = useState(false)
  const [progress, setProgress] = useState<SuiteProgress | null>(null)
  const [error, setError] = useState<string | null>(null)
  const running = useRef<AbortController | null>(null)
  // Leaving the suite (or switching experiments) stops its run: results so far are saved.
  useEffect(() => () => running.current?.abort(), [experimentId])

  const act = async (run: () => Promise<unknown>) => {
    setError(null)
    try {
      await run()
    } catch (e) {
      setError(errorText(t, e).text)
    } finally {
      reload()
    }
  }
  const add = (prompts: NewSuitePrompt[]) => act(() => api.suite.add({ experimentId, prompts }))
  const runAll = () =>
    act(async () => {
      const controller = new AbortController()
      running.current = controller
      try {
        for await (const step of await api.suite.runAll({ experimentId, settings, promptFormat }, { signal: controller.signal })) {
          setProgress(step)
          if (step.finished) reload()
        }
      } catch (e) {
        if (!controller.signal.aborted) throw e
      } finally {
        running.current = null
        setProgress(null)
        onRan()
      }
    })
  const busy = progress !== null
  const list = items.state === 'ready' ? items.value : []

  return (
    <Stack spacing={2} data-testid="prompt-suite">
      <Typography variant="body2" color="text.secondary">
        {t('chat.suite.help')} {t('chat.suite.metricNote')} {metric !== 'BLEU' && t('chat.suite.otherMetric', { metric })}
      </Typography>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
        <TextField fullWidth multiline maxRows={4} size="small" placeholder={t('chat.suite.newPrompt')} value={draft} onChange={(e) => setDraft(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'suite-input' } }} />
        <Button
          startIcon={<AddIcon />}
          disabled={draft.trim() === '' || busy}
          onClick={() => {
            const prompt = draft.trim()
            setDraft('')
            void add([{ prompt, expected: null }])
          }}
          data-testid="suite-add"
          sx={{ flexShrink: 0 }}
        >
          {t('chat.suite.add')}
        </Button>
      </Stack>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <Button startIcon={<PlaylistAddIcon />} disabled={busy} onClick={() => setPicking(true)} data-testid="suite-from-validation">
          {t('chat.suite.fromValidation')}
        </Button>
        {busy ? (
          <Button variant="outlined" color="warning" startIcon={<StopIcon />} onClick={() => running.current?.abort()} data-testid="suite-stop">
            {t('chat.suite.stop')}
          </Button>
        ) : (
          <Button variant="contained" startIcon={<PlayIcon />} disabled={list.length === 0} onClick={() => void runAll()} data-testid="suite-run-all">
            {t('chat.suite.runAll')}
          </Button>
        )}
      </Stack>
      {progress && (
        <Stack spacing={0.5} data-testid="suite-progress">
          <LinearProgress variant="determinate" value={progress.total > 0 ? (100 * progress.done) / progress.total : 0} />
          <Typography variant="caption" color="text.secondary">
            {t('chat.suite.progress', { done: progress.done, total: progress.total })}
            {progress.etaSeconds !== null && ` · ${t('chat.suite.eta', { eta: format.duration(progress.etaSeconds) })}`}
          </Typography>
        </Stack>
      )}
      {error && <Alert severity="warning">{error}</Alert>}
      {items.state === 'error' && <Alert severity="error">{items.message}</Alert>}
      {items.state === 'ready' && list.length === 0 && <Alert severity="info">{t('chat.suite.empty')}</Alert>}
      {list.map((item) => (
        <SuiteItem key={item.id} item={item} disabled={busy} onRemove={() => void act(() => api.suite.remove({ id: item.id }))} />
      ))}
      {picking && (
        <SuiteSamplesDialog
          experimentId={experimentId}
          onClose={() => setPicking(false)}
          onAdd={(prompts) => {
            setPicking(false)
            void add(prompts)
          }}
        />
      )}
    </Stack>
  )
}
