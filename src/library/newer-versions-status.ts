// What "Check for newer versions" found, shared by the panel and the code that checks. The panel paints with this
// alone; the code that fetches and compares (newer-versions.ts) loads on the first check.
import type { ChangedInPlace, OfferedRelease } from '@fieldflash/bundle';
import { SharedState } from '../shared-state.ts';
import type { ReleaseSummary } from '../store/index.ts';

/** An offer or a changed release, with its file changes told in words. */
export type Described<T> = T & { described: string };

export interface SourceCheck {
  url: string;
  offers: Array<Described<OfferedRelease>>;
  changedInPlace: Array<Described<ChangedInPlace>>;
  /** Set when this address could not be read. */
  problem?: { message: string; hint: string };
}

export type NewerVersionsStatus =
  | { state: 'idle' }
  | { state: 'checking'; url: string; done: number; total: number }
  | { state: 'checked'; checkedAt: number; sources: SourceCheck[]; added: string[] }
  | { state: 'failed'; message: string; hint: string };

export const newerVersionsStatus = new SharedState<NewerVersionsStatus>({ state: 'idle' });

/** Addresses of releases added from the web, each once. */
export function sourceUrls(releases: readonly ReleaseSummary[]): string[] {
  return [...new Set(releases.flatMap((r) => (r.source ? [r.source.url] : [])))].sort();
}
