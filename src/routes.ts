// Which view is showing, kept in the URL hash so a view survives a reload and works offline. A release chosen in
// the library for flashing travels in the same address (#/flash?release=<id>): the Flash view loads lazily and
// reads it when it is ready, with no state shared between the two views' code. A board set up over USB travels to
// the Devices view the same way (#/devices?board=<MAC>). A pairing link to the app (`#pair=<device URL>&code=<code>`,
// from a device's label) opens the Devices view with that link filled in; so does a `web+fieldflash://pair?…` link
// the installed app is handed by its protocol handler (the manifest's `/#pair=%s`). Both travel in the fragment,
// which never reaches the app's server.
import { useEffect, useState } from 'preact/hooks';

export const VIEWS = [
  { id: 'library', label: 'Library' },
  { id: 'flash', label: 'Flash' },
  { id: 'devices', label: 'Devices' },
  { id: 'settings', label: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export interface Route {
  view: ViewId;
  /** The release chosen elsewhere for this view (the Flash view's `release`), by id. */
  release: string | undefined;
  /** The board set up over USB to add as a device (the Devices view's `board`), by base MAC. */
  board?: string;
  /**
   * The pairing link that opened the app, for the Devices view: the fragment of an app link (`#pair=…&code=…`), or
   * the `web+fieldflash://pair?…` link the protocol handler passed on.
   */
  pairingLink?: string;
}

const PROTOCOL_LINK = 'web+fieldflash:';

export function routeFromHash(hash: string): Route {
  if (hash.startsWith('#pair=')) {
    // The protocol handler puts the whole link, escaped, where an app link has the device's URL.
    const handed = new URLSearchParams(hash.slice(1)).get('pair') ?? '';
    return { view: 'devices', release: undefined, pairingLink: handed.startsWith(PROTOCOL_LINK) ? handed : hash };
  }
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const view = VIEWS.find((v) => v.id === path)?.id ?? 'library';
  const params = new URLSearchParams(query);
  const release = params.get('release') || undefined;
  const board = params.get('board') || undefined;
  return { view, release: view === 'flash' ? release : undefined, ...(view === 'devices' && board ? { board } : {}) };
}

export function viewFromHash(hash: string): ViewId {
  return routeFromHash(hash).view;
}

export function hrefFor(view: ViewId, options: { release?: string; board?: string } = {}): string {
  const query = new URLSearchParams();
  if (options.release) query.set('release', options.release);
  if (options.board) query.set('board', options.board);
  return query.size > 0 ? `#/${view}?${query}` : `#/${view}`;
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
