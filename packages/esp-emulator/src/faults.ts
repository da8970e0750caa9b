// Faults on demand. Byte positions count from the moment the plan is set, separately per direction
// ('to-chip' = what the host writes, 'from-chip' = what the host reads). One-shot faults (unplug, corrupt,
// stall) fire once; neverSync and maxReliableBaud hold until another plan replaces them.

export type Direction = 'to-chip' | 'from-chip';

export interface FaultPlan {
  /** The USB cable comes out once this many bytes have crossed in `direction` (default 'to-chip'). */
  unplug?: { afterBytes: number; direction?: Direction };
  /** The byte at this position (0-based) arrives with its bits flipped by `xor` (default 0x20). */
  corrupt?: { atByte: number; direction?: Direction; xor?: number };
  /** The chip stops answering after this many bytes, for `forMs` (omitted: until it is reset or power-cycled). */
  stall?: { afterBytes?: number; direction?: Direction; forMs?: number };
  /** The ROM loader prints its banner but never answers SYNC (a broken TX path, a wrong chip). */
  neverSync?: boolean;
  /** Above this baud rate the line garbles bytes in both directions (long cable, cheap adapter). */
  maxReliableBaud?: number;
}

export interface FaultOutcome {
  /** The bytes that get through (a prefix when the cable comes out mid-chunk). */
  bytes: Uint8Array;
  unplug: boolean;
  /** Set when a stall begins inside this chunk: after `at` of its bytes, for `ms` (Infinity: until reset). */
  stall?: { at: number; ms: number };
}

export class FaultInjector {
  private plan: FaultPlan = {};
  private counted: Record<Direction, number> = { 'to-chip': 0, 'from-chip': 0 };
  private fired = { unplug: false, corrupt: false, stall: false };
  private garbleCounter = 0;

  constructor(plan?: FaultPlan) {
    if (plan) this.set(plan);
  }

  set(plan: FaultPlan): void {
    validate(plan);
    this.plan = { ...plan };
    this.counted = { 'to-chip': 0, 'from-chip': 0 };
    this.fired = { unplug: false, corrupt: false, stall: false };
  }

  get current(): Readonly<FaultPlan> {
    return this.plan;
  }

  get neverSync(): boolean {
    return this.plan.neverSync === true;
  }

  /** Passes a chunk through the one-shot faults. The caller delivers `bytes` and then acts on the rest. */
  pass(direction: Direction, chunk: Uint8Array): FaultOutcome {
    const start = this.counted[direction];
    let bytes = chunk;
    let unplug = false;
    let stallAt: { at: number; ms: number } | undefined;

    const { corrupt, unplug: unplugPlan, stall } = this.plan;
    if (corrupt && !this.fired.corrupt && (corrupt.direction ?? 'to-chip') === direction) {
      const at = corrupt.atByte - start;
      if (at >= 0 && at < bytes.length) {
        bytes = bytes.slice();
        bytes[at] = bytes[at]! ^ (corrupt.xor ?? 0x20);
        this.fired.corrupt = true;
      }
    }
    if (unplugPlan && !this.fired.unplug && (unplugPlan.direction ?? 'to-chip') === direction) {
      const keep = unplugPlan.afterBytes - start;
      if (keep <= bytes.length) {
        bytes = bytes.subarray(0, Math.max(0, keep));
        unplug = true;
        this.fired.unplug = true;
      }
    }
    if (stall && !this.fired.stall && (stall.direction ?? 'to-chip') === direction) {
      const keep = (stall.afterBytes ?? 0) - start;
      if (keep <= bytes.length) {
        stallAt = { at: Math.max(0, keep), ms: stall.forMs ?? Infinity };
        this.fired.stall = true;
      }
    }
    this.counted[direction] = start + bytes.length;
    return stallAt === undefined ? { bytes, unplug } : { bytes, unplug, stall: stallAt };
  }

  /** Damages bytes on a line running faster than it reliably can: every third byte gets a flipped bit. */
  garbleAboveLimit(baud: number, bytes: Uint8Array): Uint8Array {
    const limit = this.plan.maxReliableBaud;
    if (limit === undefined || baud <= limit || bytes.length === 0) return bytes;
    const out = bytes.slice();
    for (let i = 0; i < out.length; i++) {
      if (this.garbleCounter++ % 3 === 0) out[i] = out[i]! ^ (1 << (this.garbleCounter % 8));
    }
    return out;
  }
}

function validate(plan: FaultPlan): void {
  const count = (name: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new RangeError(`fault plan: ${name} must be a whole number of bytes or milliseconds ≥ 0, got ${value}`);
    }
  };
  count('unplug.afterBytes', plan.unplug?.afterBytes);
  count('corrupt.atByte', plan.corrupt?.atByte);
  count('stall.afterBytes', plan.stall?.afterBytes);
  count('stall.forMs', plan.stall?.forMs);
  if (plan.maxReliableBaud !== undefined && !(plan.maxReliableBaud > 0)) {
    throw new RangeError(`fault plan: maxReliableBaud must be a positive baud rate, got ${plan.maxReliableBaud}`);
  }
}
