// Bounds an import that stops making progress: a read or a save that never finishes must still end, with a
// message, so the next import in the queue runs and the technician knows what to do.

/** How long an import may go without progress (a file unpacked or verified, a record written) before it is ended. */
export const IMPORT_STALL_MS = 20_000;

export class ImportStalled extends Error {
  readonly hint: string;

  constructor(name: string, doing: string, ms: number) {
    super(`The import of ${name} stopped: nothing happened for ${Math.round(ms / 1000)} s while ${doing}. Nothing was stored.`);
    this.name = 'ImportStalled';
    this.hint = 'Import it again. If it stops again, reload FieldFlash (the library keeps what it holds) and import it once more.';
  }
}

export interface ImportWatch {
  /** Aborted when the import stalls; its reason is the ImportStalled error. */
  signal: AbortSignal;
  /** Says the import moved on, and what it is doing now ("saving to this device"). */
  progress(doing: string): void;
  /** Says the import waits on something with time limits of its own (a download): the clock stops until the next progress. */
  hold(doing: string): void;
  /** Stops watching (call it in a `finally`). */
  stop(): void;
}

/** Starts watching an import: its signal aborts if no progress comes within `ms`. */
export function watchImport(name: string, ms: number = IMPORT_STALL_MS): ImportWatch {
  const controller = new AbortController();
  let doing = 'starting';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new ImportStalled(name, doing, ms)), ms);
  };
  arm();
  return {
    signal: controller.signal,
    progress(now: string) {
      if (controller.signal.aborted) return;
      doing = now;
      arm();
    },
    hold(now: string) {
      doing = now;
      clearTimeout(timer);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** Settles with `work`, or rejects with the signal's reason as soon as it is aborted. */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
