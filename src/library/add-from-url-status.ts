// What adding a release from a web address is doing, shared by the form and the code that adds it. The form paints
// with this alone; the code that fetches, verifies and stores (add-from-url.ts) loads on the first add.
import type { FetchProgress } from '@fieldflash/bundle';
import { SharedState } from '../shared-state.ts';
import type { ReleaseSummary } from '../store/index.ts';

export type AddFromUrlStatus =
  | { state: 'idle' }
  | { state: 'running'; url: string; progress: FetchProgress | { phase: 'save' } | { phase: 'start' } }
  | { state: 'finished'; url: string; added: ReleaseSummary[]; alreadyStored: ReleaseSummary[] }
  | { state: 'failed'; url: string; message: string; hint: string; file: string | undefined };

export const addFromUrlStatus = new SharedState<AddFromUrlStatus>({ state: 'idle' });
