// How fast one requester may have password proofs evaluated (docs/protocol.md §3.4): a token bucket of 5 that
// refills one every 2 s. It slows a guesser to one proof every 2 s, which against an 80-bit pairing secret is
// hopeless, and never shuts the door: whoever waits the Retry-After (at most 2 s) gets a proof evaluated. Buckets
// are per requester (address and client id), so a stranger's wrong proofs do not use up the owner's.

/** Proofs a requester may have evaluated in a burst: the sixth in a row is refused. */
export const GUESS_BURST = 5;
/** One more proof may be evaluated after each interval. */
export const GUESS_REFILL_MS = 2_000;
/** Buckets kept at most; a full bucket is the same as none, so those go first. */
const MAX_BUCKETS = 4096;

interface Bucket {
  tokens: number;
  at: number;
}

export class GuessLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /**
   * Takes one attempt for `requester`, synchronously, before its proof is checked: undefined when it may go on,
   * otherwise the whole seconds until it may.
   */
  take(requester: string): number | undefined {
    const now = this.now();
    const bucket = this.refilled(requester, now);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((GUESS_REFILL_MS - (now - bucket.at)) / 1000));
    bucket.tokens -= 1;
    this.buckets.delete(requester);
    this.buckets.set(requester, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.prune(now);
    return undefined;
  }

  /** A requester that proved the secret starts afresh. */
  reset(requester: string): void {
    this.buckets.delete(requester);
  }

  clear(): void {
    this.buckets.clear();
  }

  private refilled(requester: string, now: number): Bucket {
    const bucket = this.buckets.get(requester) ?? { tokens: GUESS_BURST, at: now };
    const gained = Math.floor((now - bucket.at) / GUESS_REFILL_MS);
    if (gained > 0) {
      bucket.tokens = Math.min(GUESS_BURST, bucket.tokens + gained);
      bucket.at = bucket.tokens === GUESS_BURST ? now : bucket.at + gained * GUESS_REFILL_MS;
    }
    return bucket;
  }

  private prune(now: number): void {
    for (const [key] of this.buckets) if (this.refilled(key, now).tokens >= GUESS_BURST) this.buckets.delete(key);
    // Still too many: the least recently used go, which at worst hands a guesser a few more tries at 80 bits.
    for (const [key] of this.buckets) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}
