// The releases in the library, read once for the whole window however many components show them (the list, the
// web releases panel, every device card). A release added or deleted in this window is added to or taken from the
// list read before; any other change (another window's) reads the library again. While nothing shows them, they
// are not held.
import { useEffect } from 'preact/hooks';
import { addedNewestFirst, listReleases, subscribeLibrary, type LibraryChange, type ReleaseSummary } from '../store/index.ts';
import { SharedState, useSharedState } from '../shared-state.ts';

export type LibraryState = { state: 'loading' } | { state: 'ready'; releases: ReleaseSummary[] } | { state: 'failed'; message: string };

const LOADING: LibraryState = { state: 'loading' };
const library = new SharedState<LibraryState>(LOADING);
let watchers = 0;
let stopListening: (() => void) | undefined;
let reading = false;
let readAgain = false;

function read(): void {
  // A change during a read may have come after the read began: read once more when it ends, not twice at once.
  if (reading) {
    readAgain = true;
    return;
  }
  reading = true;
  listReleases()
    .then(
      (releases): LibraryState => ({ state: 'ready', releases }),
      (error: unknown): LibraryState => ({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
    )
    .then((next) => {
      reading = false;
      if (watchers === 0) return;
      library.set(next);
      if (readAgain) {
        readAgain = false;
        read();
      }
    });
}

/** Follows a change without reading every release again: the cost of an import must not grow with the library. */
function follow(change: LibraryChange): void {
  const current = library.get();
  // A read under way may or may not include the change: only a read begun after it is sure to.
  if (reading || current.state !== 'ready' || change.kind === 'other') return read();
  if (change.kind === 'deleted') {
    library.set({ state: 'ready', releases: current.releases.filter((r) => r.id !== change.id) });
    return;
  }
  const known = new Set(current.releases.map((r) => r.id));
  const added = change.releases.filter((r) => !known.has(r.id));
  library.set({ state: 'ready', releases: [...added, ...current.releases].sort(addedNewestFirst) });
}

function watchLibrary(): () => void {
  if (watchers++ === 0) {
    stopListening = subscribeLibrary(follow);
    read();
  }
  return () => {
    if (--watchers > 0) return;
    stopListening?.();
    stopListening = undefined;
    readAgain = false;
    library.set(LOADING);
  };
}

export function useLibrary(): LibraryState {
  const state = useSharedState(library);
  useEffect(watchLibrary, []);
  return state;
}
