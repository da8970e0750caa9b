// Files opened with FieldFlash from the operating system (manifest file_handlers) land in the library.
import { withImportCode } from './import-status.ts';
import type { PickedFile } from './picked-files.ts';
import { runningOperations } from '../operations.ts';

interface LaunchParams {
  readonly files: readonly FileSystemHandle[];
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}

export function consumeLaunchedFiles(): void {
  const launchQueue = (window as Window & { launchQueue?: LaunchQueue }).launchQueue;
  if (!launchQueue) return;
  launchQueue.setConsumer((params) => {
    void (async () => {
      const picked: PickedFile[] = [];
      try {
        for (const handle of params.files) {
          if (handle.kind !== 'file') continue;
          const file = await (handle as FileSystemFileHandle).getFile();
          picked.push({ path: file.name, file });
        }
      } catch (error) {
        await withImportCode('the opened file', (code) => code.reportUnreadableFiles('the opened file', error));
        return;
      }
      if (picked.length === 0) return;
      // The import shows its progress in the library; but never leave a view while it is flashing.
      if (runningOperations().length === 0 && window.location.hash && !window.location.hash.startsWith('#/library')) window.location.hash = '#/library';
      await withImportCode('the opened files', (code) => code.importPicked(picked));
    })();
  });
}
