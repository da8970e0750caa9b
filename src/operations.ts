// Running operations (an import, a flash…): work that must not be cut short by an app update or a reload.

export interface RunningOperation {
  id: number;
  label: string;
  startedAt: number;
}

type Listener = (operations: readonly RunningOperation[]) => void;

let running: readonly RunningOperation[] = [];
let nextId = 1;
const listeners = new Set<Listener>();

function publish(next: readonly RunningOperation[]): void {
  running = next;
  for (const listener of [...listeners]) listener(running);
}

/**
 * Registers a running operation, e.g. beginOperation('Flashing LOGIBUS DualOut 0.100.0').
 * Returns the function that ends it; calling it more than once is harmless, so it fits in a `finally`.
 */
export function beginOperation(label: string): () => void {
  const operation: RunningOperation = { id: nextId++, label, startedAt: Date.now() };
  publish([...running, operation]);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    publish(running.filter((o) => o.id !== operation.id));
  };
}

export function runningOperations(): readonly RunningOperation[] {
  return running;
}

/** Calls the listener now and after every change; returns the unsubscribe function. */
export function subscribeOperations(listener: Listener): () => void {
  listeners.add(listener);
  listener(running);
  return () => {
    listeners.delete(listener);
  };
}

/** Resolves as soon as no operation is running (at once if none is). */
export function whenNoOperationRuns(): Promise<void> {
  if (running.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = subscribeOperations((ops) => {
      if (ops.length > 0) return;
      // subscribeOperations calls back synchronously; defer the unsubscribe until it has returned.
      queueMicrotask(() => unsubscribe());
      resolve();
    });
  });
}
