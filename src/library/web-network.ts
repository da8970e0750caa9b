// The browser's network as the bundle package's fetching code takes it: fetch, and whether the browser is online.
import type { FetchOptions } from '@fieldflash/bundle';

export function browserNetwork(signal?: AbortSignal): Pick<FetchOptions, 'fetch' | 'isOnline' | 'signal'> {
  return {
    fetch: (input, init) => fetch(input, init),
    isOnline: () => navigator.onLine,
    ...(signal ? { signal } : {}),
  };
}

/** A failure from the bundle package (BundleError, RemoteError), or a release refused for its signature, carries a hint for people. */
export function isExplained(error: unknown): error is Error & { hint: string; file?: string } {
  return error instanceof Error && (error.name === 'BundleError' || error.name === 'RemoteError' || error.name === 'ReleaseRefused') && typeof (error as { hint?: unknown }).hint === 'string';
}
