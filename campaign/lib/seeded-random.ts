// Seeded randomness for the campaigns: each run draws from its own generator, made from the campaign's seed and the
// run's index, so one lost run replays alone (--seed S --run I) and draws exactly what it drew in the whole campaign.

export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [low, high], both included. */
  int(low: number, high: number): number;
  pick<T>(choices: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/** mulberry32: small, fast and good enough to spread kill points; not for secrets. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (choices) => choices[Math.floor(next() * choices.length)]!,
    chance: (p) => next() < p,
  };
}

/** The generator of run `index` of a campaign seeded with `seed`. */
export function runRandom(seed: number, index: number): Random {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

/** A fresh campaign seed, when none is given: printed, so the campaign can be run again the same way. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
