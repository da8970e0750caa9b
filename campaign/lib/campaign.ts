// What a crash campaign is and how one runs: many runs, each a fault at a point drawn from the run's own seeded
// generator followed by the checks that the device survived it. A run that throws, or does not finish in time, is
// lost; it is reported with the seed, its index and the fault point, which is all it takes to replay it.
import { runRandom, type Random } from './seeded-random.ts';

export interface RunContext {
  index: number;
  random: Random;
  /**
   * Names the fault this run aims at: its kind, counted in the tally ("crash-point chunk", "sigkill at-byte"), and
   * where exactly ("33", "1200345 of 2000000"), printed with a lost run.
   */
  aim(kind: string, where?: string): void;
  /** Adds what actually happened to the fault point (e.g. "pressed again after: …"). */
  note(text: string): void;
  /** The fault never came (the update ended first); the run still checks the device, and the tally says how many. */
  missed(why: string): void;
}

/** A campaign prepared to run: its shared fixtures are ready (a browser, a snapshot of a device). */
export interface PreparedCampaign {
  run(context: RunContext): Promise<void>;
  close(): Promise<void>;
}

export interface Campaign {
  /** The name on the command line: agent-kills, micropython-power, cable-pulls, page-side. */
  name: string;
  /** One line: what is cut and what is checked. */
  what: string;
  /** How many runs make the full campaign. */
  fullRuns: number;
  /** A run that takes longer than this is lost: a retry that never completes is a finding, not a hang. */
  runTimeoutMs: number;
  prepare(log: (line: string) => void): Promise<PreparedCampaign>;
}

export interface LostRun {
  index: number;
  point: string;
  reason: string;
}

export interface CampaignResult {
  name: string;
  seed: number;
  runs: number;
  survived: number;
  lost: LostRun[];
  seconds: number;
  /** How many runs aimed at each kind of fault. */
  points: Map<string, number>;
  /** Runs whose fault (or second fault) never came because the work it aimed at ended first. */
  missed: number;
}

export interface CampaignOptions {
  seed: number;
  /** Run indexes to run: 0..runs-1 for a whole campaign, one index to replay a lost run. */
  indexes: readonly number[];
  log: (line: string) => void;
  /** Also logs each run that survived, with its fault and what happened. */
  verbose?: boolean;
  /** Called after each run, for a progress line. */
  onRun?: (result: Readonly<CampaignResult>) => void;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not finish within ${ms / 1000} s: a retry that never completes`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function runCampaign(campaign: Campaign, options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const result: CampaignResult = { name: campaign.name, seed: options.seed, runs: 0, survived: 0, lost: [], seconds: 0, points: new Map(), missed: 0 };
  const prepared = await campaign.prepare(options.log);
  try {
    for (const index of options.indexes) {
      let point = 'before any fault';
      let kind = 'none';
      const context: RunContext = {
        index,
        random: runRandom(options.seed, index),
        aim: (k, where) => {
          kind = k;
          point = where ? `${k} ${where}` : k;
        },
        note: (text) => (point = `${point} (${text})`),
        missed: (why) => {
          point = `${point} (not reached: ${why})`;
          result.missed += 1;
        },
      };
      result.runs += 1;
      try {
        await withTimeout(prepared.run(context), campaign.runTimeoutMs);
        result.survived += 1;
        if (options.verbose) options.log(`  run ${index}: survived ${point}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        result.lost.push({ index, point, reason });
        options.log(`  LOST run ${index} (seed ${options.seed}, fault ${point}): ${reason}`);
      }
      result.points.set(kind, (result.points.get(kind) ?? 0) + 1);
      options.onRun?.(result);
    }
  } finally {
    await prepared.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Throws with `message` unless `condition` holds: a lost run says in words what the device was left with. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
