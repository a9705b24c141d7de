/**
 * The typed API client. In Electron the preload hands the page a MessagePort; in a browser (the web host)
 * the API is a WebSocket on the same origin, authorised by the token cookie set when the page loaded.
 */
import { createORPCClient } from '@orpc/client'
import { RPCLink as MessagePortLink } from '@orpc/client/message-port'
import { RPCLink as WebSocketLink } from '@orpc/client/websocket'
import type { ContractRouterClient } from '@orpc/contract'
import type { Contract } from '../../../src-shared/contract'

export type ApiClient = ContractRouterClient<Contract>

function electronPort(): Promise<MessagePort> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window || event.data !== 'finetune-studio:port' || !event.ports[0]) return
      window.removeEventListener('message', onMessage)
      resolve(event.ports[0])
    }
    window.addEventListener('message', onMessage)
  })
}

export async function connectApi(): Promise<ApiClient> {
  const params = new URLSearchParams(window.location.search)
  if (params.get('transport') === 'electron') {
    const port = await electronPort()
    port.start()
    return createORPCClient<ApiClient>(new MessagePortLink({ port }))
  }
  const token = params.get('token')
  // The cookie now carries the token: take it out of the address bar so it is not shared by accident.
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.hash)
  const websocket = new WebSocket(`ws://${window.location.host}/api`)
  return createORPCClient<ApiClient>(new WebSocketLink({ websocket }))
}
