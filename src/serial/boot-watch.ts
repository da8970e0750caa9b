// Watches the console after a reset for a bounded time and settles on one boot reading.
// A crash, a loop or a ROM that gives up ends the watch at once; an app that started is given a moment
// to prove it stays up before it counts as booted.
import { readBootLog, type BootReading } from './boot-log.ts';

export interface BootWatchTiming {
  /** The longest the watch lasts. */
  limitMs: number;
  /** How long a started app must run without crashing or resetting. */
  settleMs: number;
}

/** A 4 MB app with its hash checked starts in about a second on real boards; slow consoles get room. */
export const BOOT_WATCH: BootWatchTiming = { limitMs: 10_000, settleMs: 2_500 };

export class BootWatch {
  private text = '';
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly limitTimer: ReturnType<typeof setTimeout>;
  private finished = false;
  private readonly startedAt = performance.now();
  readonly result: Promise<BootReading & { seconds: number }>;
  private resolve!: (reading: BootReading & { seconds: number }) => void;

  constructor(private readonly timing: BootWatchTiming = BOOT_WATCH) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
    this.limitTimer = setTimeout(() => this.finish(true), timing.limitMs);
  }

  /** Console text as it arrives. */
  push(text: string): void {
    if (this.finished) return;
    this.text += text;
    const reading = readBootLog(this.text);
    if (reading.decisive) return this.finish(false);
    // A crash or a reset may follow the start-up lines: give the app a moment before calling it booted.
    if (reading.verdict.kind === 'booted' && this.settleTimer === undefined) {
      this.settleTimer = setTimeout(() => this.finish(true), this.timing.settleMs);
    }
  }

  /** Ends the watch early (the port went away, a new flash began): the reading so far. */
  stop(): void {
    this.finish(true);
  }

  private finish(ended: boolean): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.limitTimer);
    clearTimeout(this.settleTimer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.resolve({ ...readBootLog(this.text, { ended }), seconds });
  }
}
