// Code that the first paint does not need (the import code, adding from the web, export and delete) loads after
// it: once the page is idle, or on first use. Once loaded, a click acts at once, in the same turn, as if the code
// had been there from the start: its outcome replaces the previous one before anything else can read the screen.

export interface DeferredCode<T> {
  /** Loads the code, once; a failed load is tried again on the next call. */
  load(): Promise<T>;
  /** The code, once it has loaded. */
  readonly loaded: T | undefined;
}

export function deferredCode<T>(load: () => Promise<T>): DeferredCode<T> {
  let code: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load() {
      loading ??= load().then(
        (loaded) => (code = loaded),
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    get loaded() {
      return code;
    },
  };
}

/**
 * Runs `use` with the code: at once when it has loaded, else once it has. A failure to load goes to `cannotLoad`
 * (or rejects, without one); whatever `use` throws or rejects with is the caller's.
 */
export async function withCode<T>(code: DeferredCode<T>, use: (code: T) => unknown, cannotLoad?: (error: unknown) => void): Promise<void> {
  let loaded = code.loaded;
  if (loaded === undefined) {
    try {
      loaded = await code.load();
    } catch (error) {
      if (!cannotLoad) throw error;
      cannotLoad(error);
      return;
    }
  }
  await use(loaded);
}

/**
 * Loads code once the page is idle after its first paint, then hands it to `then`. A failure says nothing here; it
 * shows on first use.
 */
export function loadWhenIdle<T>(code: DeferredCode<T>, then?: (code: T) => void): void {
  const run = () => void code.load().then(then, () => undefined);
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 5000 });
  else setTimeout(run, 1000);
}

// A chunk is fetched once online; the service worker then keeps it for offline use.
export const RELOAD_HINT = 'Connect to the network and reload FieldFlash once; after that it works offline.';

/** What a person reads when a part's code did not load. */
export function partNotLoaded(what: string, error: unknown): { message: string; hint: string } {
  return { message: `The ${what} could not load (${error instanceof Error ? error.message : String(error)}).`, hint: RELOAD_HINT };
}
