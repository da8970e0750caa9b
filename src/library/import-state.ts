// What the import is doing, as values: the import code (import-release.ts) sets them and the import panel shows
// them. The library paints with this alone, before the import code has loaded.
import type { ReleaseSummary } from '../store/index.ts';
import { SharedState } from '../shared-state.ts';

export type ImportPhase = 'read' | 'download' | 'unzip' | 'verify' | 'save';

export type ImportStatus =
  | { state: 'idle' }
  | { state: 'running'; name: string; phase: ImportPhase; done: number; total: number; queued: number; bytes?: number }
  | { state: 'finished'; added: ReleaseSummary[]; alreadyStored: ReleaseSummary[]; signatureAdded: ReleaseSummary[] }
  | { state: 'failed'; name: string; message: string; file: string | undefined; hint: string };

export const importStatus = new SharedState<ImportStatus>({ state: 'idle' });
