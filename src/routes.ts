// Which view is showing, kept in the URL hash so a view survives a reload and works offline.
import { useEffect, useState } from 'preact/hooks';

export const VIEWS = [
  { id: 'library', label: 'Library' },
  { id: 'flash', label: 'Flash' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.find((v) => v.id === id)?.id ?? 'library';
}

export function hrefFor(view: ViewId): string {
  return `#/${view}`;
}

export function useCurrentView(): ViewId {
  const [view, setView] = useState(() => viewFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setView(viewFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return view;
}
