// Watches the console after a reset for a bounded time and settles on one boot reading.
// A crash, a loop or a ROM that gives up ends the watch at once; an app that started is given a moment
// to prove it stays up before it counts as booted, and is still watched until the time limit: a brownout
// when the radio starts, or a reset a few seconds in, revises the verdict.
import { readBootLog, type BootReading } from './boot-log.ts';

export interface BootWatchTiming {
  /** The longest the watch lasts. */
  limitMs: number;
  /** How long a started app must run without crashing or resetting before it counts as booted. */
  settleMs: number;
}

/** A 4 MB app with its hash checked starts in about a second on real boards; slow consoles get room. */
export const BOOT_WATCH: BootWatchTiming = { limitMs: 10_000, settleMs: 2_500 };

export type TimedReading = BootReading & { seconds: number };

export class BootWatch {
  private text = '';
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly limitTimer: ReturnType<typeof setTimeout>;
  private given: 'none' | 'booted' | 'final' = 'none';
  private readonly startedAt = performance.now();
  /** The first verdict. */
  readonly result: Promise<TimedReading>;
  private resolve!: (reading: TimedReading) => void;

  constructor(
    private readonly timing: BootWatchTiming = BOOT_WATCH,
    /** Called when a failure shows after the app was already called booted. */
    private readonly onRevision?: (reading: TimedReading) => void,
  ) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
    this.limitTimer = setTimeout(() => this.finish(true), timing.limitMs);
  }

  /** Console text as it arrives. */
  push(text: string): void {
    if (this.given === 'final') return;
    this.text += text;
    const reading = readBootLog(this.text);
    if (reading.decisive) return this.finish(false);
    if (reading.verdict.kind === 'booted' && this.settleTimer === undefined) {
      this.settleTimer = setTimeout(() => this.give({ ...readBootLog(this.text, { ended: true }), seconds: this.seconds() }), this.timing.settleMs);
    }
  }

  /** Ends the watch early (the port went away, a new flash began): the reading so far, if none was given yet. */
  stop(): void {
    this.finish(true);
  }

  private seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  private finish(ended: boolean): void {
    if (this.given === 'final') return;
    clearTimeout(this.limitTimer);
    clearTimeout(this.settleTimer);
    const reading = { ...readBootLog(this.text, { ended }), seconds: this.seconds() };
    const before = this.given;
    this.given = 'final';
    if (before === 'none') this.resolve(reading);
    else if (reading.verdict.kind !== 'booted') this.onRevision?.(reading);
  }

  private give(reading: TimedReading): void {
    if (this.given !== 'none') return;
    this.given = 'booted';
    this.resolve(reading);
  }
}
