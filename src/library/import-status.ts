// What the import is doing, shared by the parts that show it and the code that imports (import-release.ts). The
// library paints with this alone; the import code loads once the page is idle, or for the first import.
import { deferredCode, partNotLoaded, withCode } from '../deferred-code.ts';
import { SharedState } from '../shared-state.ts';
import type { ImportStatus } from './import-release.ts';

export const importStatus = new SharedState<ImportStatus>({ state: 'idle' });

export const importCode = deferredCode(() => import('./import-release.ts'));

/** Runs `use` with the import code; if that cannot load, the import panel says so, naming what was to be imported. */
export function withImportCode(name: string, use: (code: NonNullable<typeof importCode.loaded>) => unknown): Promise<void> {
  return withCode(importCode, use, (error) => importStatus.set({ state: 'failed', name, file: undefined, ...partNotLoaded('import code', error) }));
}
