// Speed and time left of a transfer, from the device's acknowledged offset over the last few seconds, so a stall
// shows as a falling speed rather than an average that hides it.
const WINDOW_MS = 3_000;
/** Less than this says more about the first window of chunks leaving at once than about the link. */
const MIN_SPAN_MS = 1_000;

export interface TransferRate {
  /** Undefined until a second of progress has been seen. */
  bytesPerSecond: number | undefined;
  /** Undefined until there is a speed to divide by. */
  secondsLeft: number | undefined;
}

export class RateMeter {
  private readonly samples: Array<{ at: number; offset: number }> = [];

  add(offset: number, size: number, at = performance.now()): TransferRate {
    this.samples.push({ at, offset });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    if (at - first.at < MIN_SPAN_MS) return { bytesPerSecond: undefined, secondsLeft: undefined };
    const bytesPerSecond = Math.max(0, offset - first.offset) / ((at - first.at) / 1000);
    return { bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? Math.max(0, size - offset) / bytesPerSecond : undefined };
  }
}
