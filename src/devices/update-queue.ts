// Updates many devices at once but at most `limit` at a time, so a weak shared Wi-Fi is not split eight ways: the
// others wait in the order they were asked for, and each starts as soon as one ahead of it frees its place. Pure
// scheduling: it knows keys and jobs, not devices.

/** A job holds its place until the promise settles; how it ends is the job's own business. */
export type QueuedJob = () => Promise<unknown>;

export interface QueueState<K> {
  running: readonly K[];
  /** First in line first. */
  waiting: readonly K[];
}

export const DEFAULT_LIMIT = 4;
export const MAX_LIMIT = 16;

export class UpdateQueue<K> {
  private readonly active = new Set<K>();
  private readonly line: Array<{ key: K; job: QueuedJob }> = [];
  private readonly listeners = new Set<(state: QueueState<K>) => void>();

  constructor(private limitNow: number = DEFAULT_LIMIT) {
    checkLimit(limitNow);
  }

  get limit(): number {
    return this.limitNow;
  }

  /** A higher limit starts waiting jobs at once; a lower one lets running jobs finish and starts none until below it. */
  setLimit(limit: number): void {
    checkLimit(limit);
    this.limitNow = limit;
    this.startWhatFits();
  }

  /** Queues the job under `key`; false (and nothing queued) when that key is already waiting or running. */
  enqueue(key: K, job: QueuedJob): boolean {
    if (this.has(key)) return false;
    this.line.push({ key, job });
    this.startWhatFits();
    return true;
  }

  has(key: K): boolean {
    return this.active.has(key) || this.line.some((entry) => entry.key === key);
  }

  /** Takes a waiting job out of line (a running one runs on); true when it was waiting. */
  withdraw(key: K): boolean {
    const at = this.line.findIndex((entry) => entry.key === key);
    if (at < 0) return false;
    this.line.splice(at, 1);
    this.publish();
    return true;
  }

  /** Where `key` waits: 1 for the next to start, of how many wait. Undefined when it is not waiting. */
  position(key: K): { place: number; of: number } | undefined {
    const at = this.line.findIndex((entry) => entry.key === key);
    return at < 0 ? undefined : { place: at + 1, of: this.line.length };
  }

  state(): QueueState<K> {
    return { running: [...this.active], waiting: this.line.map((entry) => entry.key) };
  }

  /** Calls the listener after every change (a job queued, started, ended or withdrawn); returns the unsubscribe. */
  subscribe(listener: (state: QueueState<K>) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private startWhatFits(): void {
    while (this.active.size < this.limitNow && this.line.length > 0) {
      const { key, job } = this.line.shift()!;
      this.active.add(key);
      let running: Promise<unknown>;
      try {
        running = job();
      } catch (error) {
        running = Promise.reject(error);
      }
      running
        .catch(() => undefined)
        .finally(() => {
          this.active.delete(key);
          this.startWhatFits();
          this.publish();
        });
    }
    this.publish();
  }

  private publish(): void {
    const state = this.state();
    for (const listener of [...this.listeners]) listener(state);
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`A concurrency limit is a whole number from 1 to ${MAX_LIMIT}, not ${limit}.`);
}
