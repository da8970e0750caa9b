// The import code (import-release.ts), loaded once the page is idle or for the first import, and the way to run it
// that says so in the import panel when it cannot load.
import { deferredCode, partNotLoaded, withCode } from '../deferred-code.ts';
import { importStatus } from './import-state.ts';

export const importCode = deferredCode(() => import('./import-release.ts'));

/** Runs `use` with the import code; if that cannot load, the import panel says so, naming what was to be imported. */
export function withImportCode(name: string, use: (code: NonNullable<typeof importCode.loaded>) => unknown): Promise<void> {
  return withCode(importCode, use, (error) => importStatus.set({ state: 'failed', name, file: undefined, ...partNotLoaded('import code', error) }));
}
