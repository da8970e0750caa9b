// Fast re-flash: write only the 4 KiB sectors of a part that the flash does not hold yet.
//
// When FieldFlash knows what it last wrote to the board, the new part is compared with it here, sector by sector,
// without asking the board anything; one MD5 over the part after writing proves the guess (ESP-IDF 6.1's
// `idf.py flash` works this way from its *_flashed.bin files, and writes everything when that check fails).
// When the content is unknown, the board is asked for MD5s: the whole part, then pieces and halves of whatever
// differs, down to single sectors, so a few scattered changes cost a few dozen questions instead of one per sector.
import { md5Hex } from './md5.ts';

/** 4 KiB: the flash erase sector, the smallest region worth writing on its own. */
export const SECTOR = 0x1000;
const DIGEST_BYTES = 16;

/** A stretch of a part that must be written, relative to the part's start. */
export interface PartRun {
  start: number;
  length: number;
}

/** How the plan was made: written whole, from what FieldFlash last wrote to the board, or by asking the board. */
export type PlanBasis = 'whole' | 'known' | 'compared';

export interface PartWritePlan {
  basis: PlanBasis;
  /** Empty when the flash already holds the part (for 'known', still to be proved by one MD5). */
  runs: PartRun[];
  /** Bytes of the part already on the flash, left alone. */
  unchangedBytes: number;
  /** MD5 round trips spent deciding. */
  md5Queries: number;
}

/** What a part put on the flash: enough to tell later which of its sectors a new image changes. */
export interface PartContents {
  name: string;
  offset: number;
  size: number;
  /** The first 16 bytes of the SHA-256 of each 4 KiB sector's share of the part, in order. */
  sectorDigests: Uint8Array;
}

/** The device's MD5s of [offset, offset + length) for each region, as lower-case hex, in order. */
export type FlashMd5s = (regions: readonly { offset: number; length: number }[]) => Promise<string[]>;

export function wholePart(size: number): PartWritePlan {
  return { basis: 'whole', runs: size > 0 ? [{ start: 0, length: size }] : [], unchangedBytes: 0, md5Queries: 0 };
}

/** Joins neighbouring runs so each written region costs one FLASH_DEFL_BEGIN. */
export function coalesce(runs: readonly PartRun[]): PartRun[] {
  const out: PartRun[] = [];
  for (const run of [...runs].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && last.start + last.length === run.start) last.length += run.length;
    else out.push({ ...run });
  }
  return out;
}

/**
 * One digest per sector, from the browser's native SHA-256: a 2 MiB part takes milliseconds, where MD5 in script
 * took a tenth of a second. They only pick the sectors to skip; the board's MD5 after writing is the proof.
 */
async function sectorDigests(data: Uint8Array): Promise<Uint8Array> {
  const sectors = Math.ceil(data.length / SECTOR);
  const digests = await Promise.all(
    Array.from({ length: sectors }, (_, i) => crypto.subtle.digest('SHA-256', data.subarray(i * SECTOR, (i + 1) * SECTOR) as BufferSource)),
  );
  const out = new Uint8Array(sectors * DIGEST_BYTES);
  digests.forEach((d, i) => out.set(new Uint8Array(d, 0, DIGEST_BYTES), i * DIGEST_BYTES));
  return out;
}

/** The part's contents record (the part starts on a sector boundary). */
export async function partContents(name: string, offset: number, data: Uint8Array): Promise<PartContents> {
  return { name, offset, size: data.length, sectorDigests: await sectorDigests(data) };
}

function sameDigest(a: Uint8Array, b: Uint8Array, sector: number): boolean {
  const at = sector * DIGEST_BYTES;
  for (let i = 0; i < DIGEST_BYTES; i++) if (a[at + i] !== b[at + i]) return false;
  return true;
}

/**
 * The sectors of `data` that differ from what FieldFlash last wrote at the same offset. Undefined when nothing is
 * known about that offset (the caller asks the board instead). A sector counts as held only if the old part covered
 * exactly the same bytes of it.
 */
export async function planFromKnown(data: Uint8Array, offset: number, known: PartContents | undefined): Promise<PartWritePlan | undefined> {
  if (!known || known.offset !== offset || offset % SECTOR !== 0 || data.length === 0) return undefined;
  const now = await sectorDigests(data);
  const sectors = Math.ceil(data.length / SECTOR);
  const changed: PartRun[] = [];
  for (let i = 0; i < sectors; i++) {
    const start = i * SECTOR;
    const length = Math.min(SECTOR, data.length - start);
    const heldLength = Math.min(SECTOR, known.size - start);
    if (heldLength !== length || !sameDigest(now, known.sectorDigests, i)) changed.push({ start, length });
  }
  const runs = coalesce(changed);
  return { basis: 'known', runs, unchangedBytes: data.length - runs.reduce((sum, r) => sum + r.length, 0), md5Queries: 0 };
}

/**
 * At most this many MD5 questions per part, beyond the first: enough to narrow a dozen scattered changes down to
 * their sectors. Past it, and as soon as every half asked about at a level differs (a blank board, another firmware),
 * whatever still differs is written without asking further.
 */
export const QUESTION_BUDGET = 128;
/** The first split of a part that differs: this many pieces, asked about together. */
const FIRST_SPLIT = 16;

function split(region: PartRun, pieces: number): PartRun[] {
  const size = Math.max(SECTOR, Math.ceil(region.length / pieces / SECTOR) * SECTOR);
  const out: PartRun[] = [];
  for (let at = 0; at < region.length; at += size) out.push({ start: region.start + at, length: Math.min(size, region.length - at) });
  return out;
}

/**
 * Asks the board which sectors of `data` it lacks: the whole part first; if it differs, sixteen pieces of it; then
 * both halves of each piece that differs, level by level, down to single sectors. The board hashes every byte it is
 * asked about, so pieces keep what it reads small, and the questions of a level go out together.
 * A part whose offset is not sector-aligned is written whole: writing part of a sector would erase its neighbours.
 */
export async function planByComparing(data: Uint8Array, offset: number, flashMd5s: FlashMd5s): Promise<PartWritePlan> {
  if (data.length === 0) return wholePart(0);
  if (offset % SECTOR !== 0) return wholePart(data.length);
  let md5Queries = 0;
  const differing = async (regions: readonly PartRun[]): Promise<PartRun[]> => {
    md5Queries += regions.length;
    const onFlash = flashMd5s(regions.map((r) => ({ offset: offset + r.start, length: r.length })));
    const here = regions.map((r) => md5Hex(data.subarray(r.start, r.start + r.length))); // while the board hashes
    const answers = await onFlash;
    return regions.filter((_, i) => answers[i] !== here[i]);
  };
  const whole = { start: 0, length: data.length };
  if ((await differing([whole])).length === 0) return { basis: 'compared', runs: [], unchangedBytes: data.length, md5Queries };
  const toWrite: PartRun[] = [];
  let level = await differing(split(whole, FIRST_SPLIT));
  while (level.length > 0) {
    const sectors = level.filter((r) => r.length <= SECTOR);
    const larger = level.filter((r) => r.length > SECTOR);
    toWrite.push(...sectors);
    const halves = larger.flatMap((r) => split(r, 2));
    if (md5Queries + halves.length > QUESTION_BUDGET + 1) {
      toWrite.push(...larger);
      break;
    }
    level = halves.length > 0 ? await differing(halves) : [];
    if (halves.length >= 4 && level.length === halves.length) {
      toWrite.push(...level);
      break;
    }
  }
  const runs = coalesce(toWrite);
  return { basis: 'compared', runs, unchangedBytes: data.length - runs.reduce((sum, r) => sum + r.length, 0), md5Queries };
}
