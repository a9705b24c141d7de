/**
 * The pages, addressed by the URL hash (#/experiments, #/experiments/<id>), so reloads and back/forward
 * keep the place.
 */
import { useEffect, useState } from 'react'

/** Pages; 'compare' is reached from the Experiments page, not from the navigation. */
export const routes = ['datasets', 'new-experiment', 'experiments', 'chat', 'settings', 'compare'] as const
export type Route = (typeof routes)[number]
export const defaultRoute: Route = 'experiments'

function segments(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent)
}

function parseHash(hash: string): Route {
  const [name] = segments(hash)
  return (routes as readonly string[]).includes(name ?? '') ? (name as Route) : defaultRoute
}

export function hrefFor(route: Route, param?: string): string {
  return `#/${route}${param ? `/${encodeURIComponent(param)}` : ''}`
}

export function navigate(route: Route, param?: string): void {
  window.location.hash = hrefFor(route, param).slice(1)
}

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash)
  useEffect(() => {
    const onHashChange = () => setHash(window.location.hash)
    window.addEventListener('hashchange', onHashChange)
    return () => window.removeEventListener('hashchange', onHashChange)
  }, [])
  return hash
}

export function useRoute(): [Route, (route: Route) => void] {
  return [parseHash(useHash()), (next) => navigate(next)]
}

/** The part after the page: #/experiments/<id> → "<id>". */
export function useRouteParam(): string | null {
  return segments(useHash())[1] || null
}
