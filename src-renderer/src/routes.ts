/** The pages, addressed by the URL hash (#/experiments), so reloads and back/forward keep the place. */
import { useEffect, useState } from 'react'

export const routes = ['datasets', 'new-experiment', 'experiments', 'chat', 'settings'] as const
export type Route = (typeof routes)[number]
export const defaultRoute: Route = 'experiments'

function parseHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '')
  return (routes as readonly string[]).includes(name) ? (name as Route) : defaultRoute
}

export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash))
  useEffect(() => {
    const onHashChange = () => setRoute(parseHash(window.location.hash))
    window.addEventListener('hashchange', onHashChange)
    return () => window.removeEventListener('hashchange', onHashChange)
  }, [])
  return [route, (next) => (window.location.hash = `/${next}`)]
}
