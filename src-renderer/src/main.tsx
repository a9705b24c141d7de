import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { connectApi } from './api/client'
import { ApiProvider } from './api/context'
import { App } from './App'
import { initI18n } from './i18n'

async function start(): Promise<void> {
  const [i18n, client] = await Promise.all([initI18n(), connectApi()])
  const root = document.getElementById('root')
  if (!root) throw new Error('index.html has no #root element')
  createRoot(root).render(
    <StrictMode>
      <ApiProvider client={client}>
        <App />
      </ApiProvider>
    </StrictMode>,
  )
  void i18n
}

void start()
