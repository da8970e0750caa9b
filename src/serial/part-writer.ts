// One part of a release onto the flash: decide which sectors to write, write them, prove the result by MD5, and write
// the part whole when a partial write does not check out.
import { planByComparing, planFromKnown, wholePart, type PartContents, type PartRun, type PartWritePlan } from './fast-reflash.ts';
import { hexOffset } from './flash-problems.ts';
import { nextTask, type LoaderExchange } from './loader-exchange.ts';
import { md5InTurns } from './md5.ts';
import { flashMd5, flashMd5s, RegionWriteError, writeRegion } from './region-writer.ts';

export interface PartToWrite {
  name: string;
  offset: number;
  data: Uint8Array;
}

export interface PartOutcome {
  plan: PartWritePlan;
  /** Regions written, relative to the part. */
  runs: PartRun[];
  written: number;
  unchanged: number;
  compressedBytes: number;
  md5Queries: number;
  /** The partial write did not check out and the part was written whole. */
  rewroteWhole: boolean;
  /** MD5 of the part as the board confirmed it (written whole: padded to whole 32-bit words with 0xFF, as the stub takes it). */
  md5: string;
}

export interface PartWriterHooks {
  exchange: LoaderExchange;
  lost: Promise<never>;
  log: (line: string) => void;
  /** Image bytes of the part written so far (of `toWrite`). */
  onWritten: (written: number, toWrite: number) => void;
  /** The absolute offset being written, for the message if the write fails. */
  onPosition: (offset: number) => void;
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

/** How the part will be written: whole, from what the board should hold, or from the board's own MD5s. */
export async function planPart(part: PartToWrite, how: 'whole' | 'skip-unchanged', known: PartContents | undefined, hooks: PartWriterHooks): Promise<PartWritePlan> {
  if (how === 'whole') return wholePart(part.data.length);
  const fromKnown = await planFromKnown(part.data, part.offset, known);
  if (fromKnown) return fromKnown;
  return planByComparing(part.data, part.offset, (regions) => flashMd5s(hooks.exchange, regions));
}

export function describePlan(part: PartToWrite, plan: PartWritePlan): string {
  const where = `${part.name} at ${hexOffset(part.offset)}`;
  const how = plan.basis === 'known' ? 'compared with what FieldFlash last wrote to this board' : `${plan.md5Queries} MD5 question${plan.md5Queries === 1 ? '' : 's'} to the board`;
  if (plan.runs.length === 0) return `${where} is already on the flash: skipped (${kib(part.data.length)}; ${how}).`;
  return `${where}: ${kib(plan.unchangedBytes)} unchanged and skipped, ${kib(part.data.length - plan.unchangedBytes)} to write in ${plan.runs.length} region${plan.runs.length === 1 ? '' : 's'} (${how}).`;
}

async function writeRuns(part: PartToWrite, runs: readonly PartRun[], verifyEach: boolean, hooks: PartWriterHooks): Promise<{ compressed: number; md5: string }> {
  const toWrite = runs.reduce((sum, r) => sum + r.length, 0);
  let compressed = 0;
  let before = 0;
  let md5 = '';
  for (const run of runs) {
    const address = part.offset + run.start;
    hooks.onPosition(address);
    const result = await writeRegion(
      hooks.exchange,
      part.data.subarray(run.start, run.start + run.length),
      address,
      ({ written, total }) => hooks.onWritten(before + Math.min(run.length, Math.round((run.length * written) / Math.max(1, total))), toWrite),
      hooks.lost,
      { verify: verifyEach },
    );
    compressed += result.compressedBytes;
    md5 = result.md5;
    before += run.length;
    hooks.onWritten(before, toWrite);
  }
  return { compressed, md5 };
}

/** Writes the part as planned and proves it by MD5; a partial write that does not check out is redone whole. */
export async function writePart(part: PartToWrite, plan: PartWritePlan, hooks: PartWriterHooks): Promise<PartOutcome> {
  const size = part.data.length;
  const outcome: PartOutcome = { plan, runs: plan.runs, written: 0, unchanged: plan.unchangedBytes, compressedBytes: 0, md5Queries: plan.md5Queries, rewroteWhole: false, md5: '' };
  if (plan.basis === 'whole') {
    const { compressed, md5 } = await writeRuns(part, plan.runs, true, hooks);
    return { ...outcome, compressedBytes: compressed, md5Queries: plan.runs.length, written: size, md5 };
  }
  // Hashed a slice at a time while the board erases and writes, for the one check at the end.
  const expected = md5InTurns(part.data, nextTask);
  // Nothing to write after asking the board: its MD5 of the whole part already matched.
  if (plan.basis === 'compared' && plan.runs.length === 0) return { ...outcome, md5: await expected };
  outcome.compressedBytes = (await writeRuns(part, plan.runs, false, hooks)).compressed;
  outcome.written = size - plan.unchangedBytes;
  hooks.onPosition(part.offset);
  outcome.md5Queries++;
  const onFlash = await Promise.race([flashMd5(hooks.exchange, part.offset, size, hooks.exchange.timeoutFor('erase-write', 0x10000)), hooks.lost]);
  outcome.md5 = await expected;
  if (onFlash === outcome.md5) return outcome;
  hooks.log(
    plan.basis === 'known'
      ? `${part.name} at ${hexOffset(part.offset)}: the board did not hold what FieldFlash last wrote to it. Writing the part whole.`
      : `${part.name} at ${hexOffset(part.offset)} did not check out after writing ${plan.runs.length} region${plan.runs.length === 1 ? '' : 's'}. Writing the part whole.`,
  );
  const whole = await writeRuns(part, wholePart(size).runs, true, hooks);
  return { ...outcome, compressedBytes: outcome.compressedBytes + whole.compressed, md5Queries: outcome.md5Queries + 1, runs: wholePart(size).runs, written: size, unchanged: 0, rewroteWhole: true };
}

export { RegionWriteError };
