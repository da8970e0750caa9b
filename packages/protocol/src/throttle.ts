// An optional limit on upload speed, in KiB/s: each chunk may start only when the bytes before it have had their time.

export class Throttle {
  private nextFree = 0;
  private readonly bytesPerMs: number;

  constructor(kibPerSecond: number) {
    if (!(kibPerSecond > 0)) throw new RangeError(`throttle must be a positive number of KiB/s, got ${kibPerSecond}`);
    this.bytesPerMs = (kibPerSecond * 1024) / 1000;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + bytes / this.bytesPerMs;
    if (start > now) await sleep(start - now, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
