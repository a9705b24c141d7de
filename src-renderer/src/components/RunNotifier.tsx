/**
 * A desktop notification when an experiment finishes or fails. The HTML Notification API is native in
 * Electron (no permission prompt) and asks for permission once in a browser (the web host).
 */
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useApi } from '../api/context'
import { runErrorMessage } from '../api/errors'

/**
 * Ask for permission while the user is clicking to start a run: Chromium quietly blocks a permission
 * prompt that no user gesture triggered (as a finish event arriving later is not).
 */
export function askNotificationPermission(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission()
}

export function RunNotifier() {
  const api = useApi()
  const { t } = useTranslation()
  useEffect(() => {
    if (typeof Notification === 'undefined') return
    const controller = new AbortController()
    void (async () => {
      try {
        for await (const { id, event } of await api.experiments.updates(undefined, { signal: controller.signal })) {
          if (event.type !== 'status' || (event.status !== 'finished' && event.status !== 'failed')) continue
          if (Notification.permission === 'default') await Notification.requestPermission()
          if (Notification.permission !== 'granted') continue
          const { name } = await api.experiments.get({ id })
          const title = event.status === 'finished' ? t('notifications.finished', { name }) : t('notifications.failed', { name })
          new Notification(title, { body: runErrorMessage(t, event.error, event.errorCode) ?? t('notifications.finishedBody'), tag: `experiment-${id}` })
        }
      } catch {
        /* aborted on unmount, or the connection closed */
      }
    })()
    return () => controller.abort()
  }, [api, t])
  return null
}
