// Speed and time left of a transfer, from the device's acknowledged offset over the last few seconds, so a stall
// shows as a falling speed rather than an average that hides it.
const WINDOW_MS = 3_000;

export interface TransferRate {
  bytesPerSecond: number;
  /** Undefined until there is a speed to divide by. */
  secondsLeft: number | undefined;
}

export class RateMeter {
  private readonly samples: Array<{ at: number; offset: number }> = [];

  add(offset: number, size: number, at = performance.now()): TransferRate {
    this.samples.push({ at, offset });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.max(0, offset - first.offset) / seconds : 0;
    return { bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? Math.max(0, size - offset) / bytesPerSecond : undefined };
  }
}
