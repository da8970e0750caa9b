// Files opened with FieldFlash from the operating system (manifest file_handlers) land in the library.
import { importPicked } from './import-release.ts';

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
      const picked = [];
      for (const handle of params.files) {
        if (handle.kind !== 'file') continue;
        const file = await (handle as FileSystemFileHandle).getFile();
        picked.push({ path: file.name, file });
      }
      if (window.location.hash && !window.location.hash.startsWith('#/library')) window.location.hash = '#/library';
      await importPicked(picked);
    })();
  });
}
