// Settings of the Devices view as a whole, kept in localStorage: a small value read at start, in this browser
// profile only. A profile that refuses storage still works, with the defaults.
const CONCURRENCY_KEY = 'fieldflash-devices-concurrency';

/** The concurrency limit kept earlier, or `fallback` when none is kept or it is not a whole number in 1..max. */
export function readConcurrencyLimit(fallback: number, max: number): number {
  let kept: string | null = null;
  try {
    kept = localStorage.getItem(CONCURRENCY_KEY);
  } catch {
    return fallback;
  }
  const value = Number(kept);
  return kept !== null && Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
}

/** Keeps the limit for the next visit; false when the profile refuses storage (the limit then lasts this visit). */
export function keepConcurrencyLimit(limit: number): boolean {
  try {
    localStorage.setItem(CONCURRENCY_KEY, String(limit));
    return true;
  } catch {
    return false;
  }
}
