// One direction of a serial line. With wire time on, bytes arrive no faster than the baud rate allows
// (10 bits per byte: start, 8 data, stop). Delivery is paced by the elapsed clock and handed over in chunks,
// so coarse timers (browsers clamp nested timeouts to 4 ms) still reach the wire limit instead of one
// timer per byte. When the line is about to fall idle, the last bytes are handed over when their wire time is up,
// not on the next clamped timer: a frame's end and a short answer otherwise arrived up to 4 ms late in a page
// (each way, on every command), where the same line in Node is on time.

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
/** Browsers stretch a timer set from a timer callback to at least this (the HTML spec's nesting clamp). */
const TIMER_CLAMP_MS = 4;

let messageTurn: ((fn: () => void) => void) | undefined;

/** The next task turn, which no browser clamps: setImmediate where there is one (Node), else a message to itself. */
function nextTurn(fn: () => void): void {
  if (typeof globalThis.setImmediate === 'function') {
    globalThis.setImmediate(fn);
    return;
  }
  if (!messageTurn) {
    const waiting: Array<() => void> = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      for (const waiter of waiting.splice(0)) waiter();
    };
    messageTurn = (next) => {
      if (waiting.push(next) === 1) channel.port2.postMessage(null);
    };
  }
  messageTurn(fn);
}

export class PacedLine {
  private readonly queue: Pending[] = [];
  /** Time (ms) at which the next byte may start on the wire. */
  private cursor = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  private paused = false;
  /** Counts clears, so a wait for the line's last bytes started before one is dropped. */
  private epoch = 0;

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
      this.scheduleNext(now());
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
    this.epoch++;
  }

  /** When the last byte queued is due on the far end, with wire time on. */
  private drainsAt(): number {
    let at = this.cursor;
    for (const p of this.queue) at += ((p.bytes.length - p.sent) * 10_000) / p.baud;
    return at;
  }

  /** Wakes the pump when the queue's last byte is due if that is within a clamped timer's reach, else soon. */
  private scheduleNext(t: number, firstDueInMs = 0): void {
    if (this.wireTime() && !this.scheduled && !this.paused) {
      const drainsAt = this.drainsAt();
      if (drainsAt - t <= TIMER_CLAMP_MS) return this.wakeAt(drainsAt);
    }
    this.schedule(firstDueInMs);
  }

  /** Runs the pump at `time`: a timer for most of the wait, task turns (never clamped) for the last few ms. */
  private wakeAt(time: number): void {
    this.scheduled = true;
    const epoch = this.epoch;
    const turn = () => {
      if (epoch !== this.epoch || !this.scheduled) return;
      if (now() >= time) this.pump();
      else nextTurn(turn);
    };
    const wait = time - now() - TIMER_CLAMP_MS;
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        turn();
      }, wait);
    } else {
      nextTurn(turn);
    }
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
          this.scheduleNext(t, Math.max(PUMP_INTERVAL_MS, this.cursor + byteMs - t));
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
    if (this.queue.length > 0 && !this.paused) this.scheduleNext(t, PUMP_INTERVAL_MS);
  }
}
