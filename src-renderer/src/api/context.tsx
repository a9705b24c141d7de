import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiClient } from './client'
import { errorMessage } from './errors'

const ApiContext = createContext<ApiClient | null>(null)

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext)
  if (!client) throw new Error('useApi must be used inside <ApiProvider>')
  return client
}

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string }

/** Run a query when its dependencies change; `reload` runs it again. */
export function useQuery<T>(run: (api: ApiClient) => Promise<T>, deps: readonly unknown[]): [Loadable<T>, () => void] {
  const api = useApi()
  const { t } = useTranslation()
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' })
  const [generation, setGeneration] = useState(0)
  useEffect(() => {
    let live = true
    run(api).then(
      (value) => live && setResult({ state: 'ready', value }),
      (error: unknown) => live && setResult({ state: 'error', message: errorMessage(t, error) }),
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the query depends on
  }, [api, generation, ...deps])
  return [result, () => setGeneration((g) => g + 1)]
}

/** Follow an event stream from the API for as long as the component is mounted. */
export function useStream<T>(open: (api: ApiClient, signal: AbortSignal) => Promise<AsyncIterable<T>>, deps: readonly unknown[]): T | undefined {
  const api = useApi()
  const [latest, setLatest] = useState<T | undefined>(undefined)
  useEffect(() => {
    const controller = new AbortController()
    void (async () => {
      try {
        for await (const value of await open(api, controller.signal)) setLatest(value)
      } catch {
        /* aborted on unmount, or the connection closed: the app frame reports lost connections */
      }
    })()
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the stream depends on
  }, [api, ...deps])
  return latest
}
