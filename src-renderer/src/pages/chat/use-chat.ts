/**
 * One chat's state: its saved turns, and the answers streaming into the two panes right now.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ChatSide } from '../../../../src-shared/chat'
import type { ChatMessage } from '../../../../src-shared/entities'
import type { GenerationSettings, PromptFormat } from '../../../../src-shared/inference-protocol'
import { useTranslation } from 'react-i18next'
import { useApi } from '../../api/context'
import { errorText } from '../../api/errors'

export interface Turn {
  turn: number
  prompt: string
  answers: Record<ChatSide, { text: string; streaming: boolean; error: string | null; info: string | null }>
}

const emptyAnswer = () => ({ text: '', streaming: false, error: null, info: null })

function turnsFrom(messages: ChatMessage[]): Turn[] {
  const turns = new Map<number, Turn>()
  for (const m of messages) {
    const turn = turns.get(m.turn) ?? { turn: m.turn, prompt: '', answers: { before: emptyAnswer(), after: emptyAnswer() } }
    if (m.side === 'user') turn.prompt = m.content
    else turn.answers[m.side] = { ...emptyAnswer(), text: m.content }
    turns.set(m.turn, turn)
  }
  return [...turns.values()].sort((a, b) => a.turn - b.turn)
}

export function useChat(chatId: string | null) {
  const api = useApi()
  const { t } = useTranslation()
  // Turns belong to one chat: after a switch, the old chat's turns are simply not shown.
  const [state, setState] = useState<{ chatId: string | null; turns: Turn[] }>({ chatId: null, turns: [] })
  const turns = state.chatId === chatId ? state.turns : []
  const setTurns = (id: string, change: (turns: Turn[]) => Turn[]) =>
    setState((s) => ({ chatId: id, turns: change(s.chatId === id ? s.turns : []) }))
  const controllers = useRef<AbortController[]>([])

  useEffect(() => {
    let live = true
    if (chatId) void api.chat.messages({ chatId }).then((messages) => live && setState({ chatId, turns: turnsFrom(messages) }))
    const running = controllers.current
    return () => {
      live = false
      running.forEach((c) => c.abort())
    }
  }, [api, chatId])

  const patch = (id: string, turn: number, side: ChatSide, change: (a: Turn['answers'][ChatSide]) => Turn['answers'][ChatSide]) =>
    setTurns(id, (all) => all.map((t) => (t.turn === turn ? { ...t, answers: { ...t.answers, [side]: change(t.answers[side]) } } : t)))

  const streamSide = async (id: string, turn: number, side: ChatSide, settings: Partial<GenerationSettings>, promptFormat: PromptFormat) => {
    const controller = new AbortController()
    controllers.current.push(controller)
    patch(id, turn, side, (a) => ({ ...a, streaming: true }))
    try {
      for await (const chunk of await api.chat.answer({ chatId: id, turn, side, settings, promptFormat }, { signal: controller.signal })) {
        if (chunk.type === 'loading') patch(id, turn, side, (a) => ({ ...a, info: chunk.description }))
        else if (chunk.type === 'text') patch(id, turn, side, (a) => ({ ...a, text: a.text + chunk.text }))
        else patch(id, turn, side, (a) => ({ ...a, info: `${chunk.tokens} tokens · ${chunk.tokensPerSecond.toFixed(1)} tokens/s` }))
      }
    } catch (error) {
      if (!controller.signal.aborted) patch(id, turn, side, (a) => ({ ...a, error: errorText(t, error).text }))
    } finally {
      patch(id, turn, side, (a) => ({ ...a, streaming: false }))
      controllers.current = controllers.current.filter((c) => c !== controller)
    }
  }

  const send = useCallback(
    async (id: string, prompt: string, settings: Partial<GenerationSettings>, promptFormat: PromptFormat) => {
      const { turn } = await api.chat.ask({ chatId: id, prompt })
      setTurns(id, (all) => [...all, { turn, prompt, answers: { before: emptyAnswer(), after: emptyAnswer() } }])
      // Both sides at once: the inference child answers them in turn, each streaming into its pane.
      await Promise.all((['before', 'after'] as const).map((side) => streamSide(id, turn, side, settings, promptFormat)))
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- streamSide only uses the stable api, t and setters
    [api, t],
  )

  const stop = useCallback(() => controllers.current.forEach((c) => c.abort()), [])
  const streaming = turns.some((t) => t.answers.before.streaming || t.answers.after.streaming)
  return { turns, send, stop, streaming }
}
