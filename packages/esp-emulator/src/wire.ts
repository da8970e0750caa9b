// One direction of a serial line. With wire time on, bytes arrive no faster than the baud rate allows
// (10 bits per byte: start, 8 data, stop). Delivery is paced by the elapsed clock and handed over in chunks,
// so coarse timers (browsers clamp nested timeouts to 4 ms) still reach the wire limit instead of one
// timer per byte.

/** Receives bytes in arrival order, with the baud rate they were sent at. */
export type LineSink = (bytes: Uint8Array, txBaud: number) => void;

interface Pending {
  bytes: Uint8Array;
  baud: number;
  sent: number;
  done?: () => void;
}

const now = (): number => globalThis.performance.now();
/** How long the pump waits between hand-overs; a bigger chunk per wake-up is fine, being late is not. */
const PUMP_INTERVAL_MS = 2;

export class PacedLine {
  private readonly queue: Pending[] = [];
  /** Time (ms) at which the next byte may start on the wire. */
  private cursor = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  private paused = false;

  constructor(
    private readonly sink: LineSink,
    private readonly wireTime: () => boolean,
  ) {}

  /** Queues bytes; the promise settles once the last of them has been handed to the sink (or dropped). */
  send(bytes: Uint8Array, baud: number): Promise<void> {
    if (bytes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.queue.length === 0) this.cursor = Math.max(this.cursor, now());
      this.queue.push({ bytes, baud, sent: 0, done: resolve });
      this.schedule(0);
    });
  }

  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Bytes queued but not yet delivered. */
  get backlog(): number {
    return this.queue.reduce((sum, p) => sum + p.bytes.length - p.sent, 0);
  }

  /** Stops delivering (a stalled chip); bytes stay queued. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.cursor = Math.max(this.cursor, now());
    this.schedule(0);
  }

  /** Drops everything in flight (power loss, cable pulled); pending senders are released. */
  clear(): void {
    const dropped = this.queue.splice(0);
    for (const p of dropped) p.done?.();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.paused) return;
    this.scheduled = true;
    if (delayMs <= 0 && !this.wireTime()) {
      queueMicrotask(() => this.pump());
      return;
    }
    this.timer = setTimeout(() => this.pump(), delayMs);
  }

  private pump(): void {
    this.scheduled = false;
    this.timer = undefined;
    if (this.paused) return;
    const paced = this.wireTime();
    const t = now();
    while (this.queue.length > 0 && !this.paused) {
      const head = this.queue[0]!;
      let count = head.bytes.length - head.sent;
      if (paced) {
        const byteMs = 10_000 / head.baud;
        count = Math.min(count, Math.floor((t - this.cursor) / byteMs + 1e-9));
        if (count <= 0) {
          this.schedule(Math.max(PUMP_INTERVAL_MS, this.cursor + byteMs - t));
          return;
        }
        this.cursor += count * byteMs;
      }
      const chunk = head.bytes.subarray(head.sent, head.sent + count);
      head.sent += count;
      if (head.sent === head.bytes.length) this.queue.shift();
      this.sink(chunk, head.baud);
      if (head.sent === head.bytes.length) head.done?.();
    }
    if (this.queue.length > 0 && !this.paused) this.schedule(PUMP_INTERVAL_MS);
  }
}
