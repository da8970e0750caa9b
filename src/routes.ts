// Which view is showing, kept in the URL hash so a view survives a reload and works offline. A release chosen in
// the library for flashing travels in the same address (#/flash?release=<id>): the Flash view loads lazily and
// reads it when it is ready, with no state shared between the two views' code.
import { useEffect, useState } from 'preact/hooks';

export const VIEWS = [
  { id: 'library', label: 'Library' },
  { id: 'flash', label: 'Flash' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export interface Route {
  view: ViewId;
  /** The release chosen elsewhere for this view (the Flash view's `release`), by id. */
  release: string | undefined;
}

export function routeFromHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const view = VIEWS.find((v) => v.id === path)?.id ?? 'library';
  const release = new URLSearchParams(query).get('release') || undefined;
  return { view, release: view === 'flash' ? release : undefined };
}

export function viewFromHash(hash: string): ViewId {
  return routeFromHash(hash).view;
}

export function hrefFor(view: ViewId, options: { release?: string } = {}): string {
  return options.release ? `#/${view}?${new URLSearchParams({ release: options.release })}` : `#/${view}`;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return routeFromHash(hash);
}

export function useCurrentView(): ViewId {
  return useRoute().view;
}
