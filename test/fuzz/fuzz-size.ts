// How big a fuzz run is: a few hundred cases per target in the normal suite, the full count with `npm run fuzz`
// (FIELDFLASH_FUZZ=full). Seeds are fixed, so a failure found once is found again by the same run.

export const FULL = process.env.FIELDFLASH_FUZZ === 'full';

/** The fixed seed of every run; FIELDFLASH_FUZZ_SEED picks another to explore further. */
export const SEED = Number(process.env.FIELDFLASH_FUZZ_SEED ?? 20_261_202);

/** Cases per target: FIELDFLASH_FUZZ_CASES sets any count, to explore further than the suite does. */
export function cases(ci: number, full: number): number {
  const asked = Number(process.env.FIELDFLASH_FUZZ_CASES);
  return asked > 0 ? asked : FULL ? full : ci;
}

/** Counts each case's outcome, and keeps every case that broke a rule (with what it was, to reproduce it). */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly failures: string[] = [];

  constructor(
    readonly target: string,
    readonly unit = 'cases',
  ) {}

  count(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }

  fail(outcome: string, detail: string): void {
    this.count(outcome);
    if (this.failures.length < 20) this.failures.push(`${outcome}: ${detail}`);
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** One line per target: total, then each outcome with its count, most frequent first. */
  report(seconds: number): string {
    const rows = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`);
    return `fuzz ${this.target}: ${this.total} ${this.unit} in ${seconds.toFixed(1)} s (seed ${SEED}) — ${rows.join(', ')}\n`;
  }
}

/** Runs `work`, or says it hung: no case may run past its bound. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), ms)));
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}
