// Fast re-flash: compare the MD5 of flash regions with the new part, coarse blocks first, and write only what differs.
import { md5Hex } from './md5.ts';

/** 64 KiB: few MD5 round trips for an unchanged 2 MiB app (one per block). */
export const COARSE_BLOCK = 0x10000;
/** 4 KiB: the flash erase sector, the smallest region worth writing on its own. */
export const FINE_BLOCK = 0x1000;

/** A stretch of a part that must be written, relative to the part's start. */
export interface PartRun {
  start: number;
  length: number;
}

export interface PartWritePlan {
  /** Empty when the flash already holds the part. */
  runs: PartRun[];
  /** Bytes of the part already on the flash, left alone. */
  unchangedBytes: number;
  /** MD5 round trips spent deciding. */
  md5Queries: number;
}

/** The device's MD5 of [offset, offset + length) as lower-case hex (ESPLoader.flashMd5sum). */
export type FlashMd5 = (offset: number, length: number) => Promise<string>;

export function wholePart(size: number): PartWritePlan {
  return { runs: size > 0 ? [{ start: 0, length: size }] : [], unchangedBytes: 0, md5Queries: 0 };
}

function blocks(start: number, end: number, size: number): PartRun[] {
  const out: PartRun[] = [];
  for (let at = start; at < end; at += size) out.push({ start: at, length: Math.min(size, end - at) });
  return out;
}

/** Joins neighbouring runs so each written region costs one begin/end exchange. */
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
 * Decides which 4 KiB blocks of a part differ from what the flash at `offset` holds.
 * A part whose offset is not sector-aligned is written whole: writing part of a sector would erase its neighbours.
 */
export async function planPartWrite(data: Uint8Array, offset: number, flashMd5: FlashMd5): Promise<PartWritePlan> {
  if (data.length === 0) return wholePart(0);
  if (offset % FINE_BLOCK !== 0) return wholePart(data.length);
  let md5Queries = 1;
  if ((await flashMd5(offset, data.length)) === md5Hex(data)) {
    return { runs: [], unchangedBytes: data.length, md5Queries };
  }
  const differing: PartRun[] = [];
  for (const coarse of blocks(0, data.length, COARSE_BLOCK)) {
    const end = coarse.start + coarse.length;
    md5Queries++;
    if ((await flashMd5(offset + coarse.start, coarse.length)) === md5Hex(data.subarray(coarse.start, end))) continue;
    for (const fine of blocks(coarse.start, end, FINE_BLOCK)) {
      md5Queries++;
      const local = md5Hex(data.subarray(fine.start, fine.start + fine.length));
      if ((await flashMd5(offset + fine.start, fine.length)) !== local) differing.push(fine);
    }
  }
  const runs = coalesce(differing);
  const toWrite = runs.reduce((sum, r) => sum + r.length, 0);
  return { runs, unchangedBytes: data.length - toWrite, md5Queries };
}
