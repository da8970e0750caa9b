// The releases in the library, re-read whenever the library changes (here or in another window).
import { useEffect, useState } from 'preact/hooks';
import { listReleases, subscribeLibrary, type ReleaseSummary } from '../store/index.ts';

export type LibraryState = { state: 'loading' } | { state: 'ready'; releases: ReleaseSummary[] } | { state: 'failed'; message: string };

export function useLibrary(): LibraryState {
  const [library, setLibrary] = useState<LibraryState>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    const load = () =>
      listReleases().then(
        (releases) => current && setLibrary({ state: 'ready', releases }),
        (error: unknown) => current && setLibrary({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    void load();
    const unsubscribe = subscribeLibrary(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return library;
}
