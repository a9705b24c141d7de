/** Locale-aware number and date formatting for the current UI language. */
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { formatDuration } from '../../src-shared/format'

export function useFormat() {
  const { i18n } = useTranslation()
  const locale = i18n.language
  return {
    dateTime: (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms),
    number: (value: number, digits = 4) => new Intl.NumberFormat(locale, { maximumSignificantDigits: digits }).format(value),
    integer: (value: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value),
    percent: (share: number) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share),
    duration: (seconds: number) => formatDuration(seconds),
  }
}

/** The current time, refreshed every `intervalMs`: for durations of things still running. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
