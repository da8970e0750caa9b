// Fast re-flash planning: which 4 KiB sectors of a part to write, from what FieldFlash last wrote or from the board's MD5s.
import { describe, expect, test } from 'vitest';
import { md5Hex } from '../../src/serial/md5.ts';
import { partContents, planByComparing, planFromKnown, QUESTION_BUDGET, SECTOR } from '../../src/serial/fast-reflash.ts';

const OFFSET = 0x10000;

function pseudoRandom(length: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
}

function changed(data: Uint8Array, at: readonly number[]): Uint8Array {
  const out = data.slice();
  for (const a of at) for (let i = 0; i < 64; i++) out[a + i] = out[a + i]! ^ 0x5a;
  return out;
}

/** The board's side of SPI_FLASH_MD5 over a flash holding `held` at OFFSET, counting the questions. */
function boardHolding(held: Uint8Array) {
  const asked: Array<[number, number]> = [];
  const flashMd5 = async (regions: readonly { offset: number; length: number }[]) =>
    regions.map(({ offset, length }) => {
      asked.push([offset, length]);
      return md5Hex(held.subarray(offset - OFFSET, offset - OFFSET + length));
    });
  return { asked, flashMd5 };
}

const old = pseudoRandom(0x200000 - 0x1234, 1);
const fourChanges = [0x80, 0x31000, 0xd4321, 0x1a0000];

describe('compared with what FieldFlash last wrote', () => {
  test('finds the changed sectors without asking the board', async () => {
    const plan = await planFromKnown(changed(old, fourChanges), OFFSET, await partContents('app', OFFSET, old));
    expect(plan).toEqual({
      basis: 'known',
      runs: [
        { start: 0, length: SECTOR },
        { start: 0x31000, length: SECTOR },
        { start: 0xd4000, length: SECTOR },
        { start: 0x1a0000, length: SECTOR },
      ],
      unchangedBytes: old.length - 4 * SECTOR,
      md5Queries: 0,
    });
  });

  test('a longer part writes its last sectors: the old one did not cover them the same way', async () => {
    const longer = new Uint8Array(old.length + 0x2000);
    longer.set(old);
    longer.fill(0x11, old.length);
    const plan = await planFromKnown(longer, OFFSET, await partContents('app', OFFSET, old));
    const lastOldSector = Math.floor(old.length / SECTOR) * SECTOR;
    expect(plan?.runs).toEqual([{ start: lastOldSector, length: longer.length - lastOldSector }]);
  });

  test('knows nothing about a part at another offset', async () => {
    expect(await planFromKnown(old, OFFSET + SECTOR, await partContents('app', OFFSET, old))).toBeUndefined();
    expect(await planFromKnown(old, OFFSET, undefined)).toBeUndefined();
  });
});

describe('asking the board', () => {
  test('narrows four scattered changes down to their sectors with a few dozen questions', async () => {
    const board = boardHolding(old);
    const plan = await planByComparing(changed(old, fourChanges), OFFSET, board.flashMd5);
    expect(plan.runs).toEqual([
      { start: 0, length: SECTOR },
      { start: 0x31000, length: SECTOR },
      { start: 0xd4000, length: SECTOR },
      { start: 0x1a0000, length: SECTOR },
    ]);
    expect(plan.md5Queries).toBe(board.asked.length);
    expect(plan.md5Queries).toBeLessThanOrEqual(1 + 16 + 4 * 2 * 5); // every sector would be 512
    expect(board.asked[0]).toEqual([OFFSET, old.length]);
  });

  test('one question when the board already holds the part', async () => {
    const board = boardHolding(old);
    expect(await planByComparing(old, OFFSET, board.flashMd5)).toEqual({ basis: 'compared', runs: [], unchangedBytes: old.length, md5Queries: 1 });
  });

  test('a blank board is not asked about every sector: past the budget the rest is written', async () => {
    const board = boardHolding(new Uint8Array(old.length).fill(0xff));
    const plan = await planByComparing(old, OFFSET, board.flashMd5);
    expect(plan.runs).toEqual([{ start: 0, length: old.length }]);
    expect(plan.md5Queries).toBeLessThanOrEqual(1 + 16 + 32);
    expect(plan.md5Queries).toBeLessThanOrEqual(QUESTION_BUDGET);
  });

  test('writes a part whole when it does not start on a sector boundary', async () => {
    const board = boardHolding(old);
    expect(await planByComparing(old, OFFSET + 0x10, board.flashMd5)).toMatchObject({ basis: 'whole', runs: [{ start: 0, length: old.length }], md5Queries: 0 });
    expect(board.asked).toEqual([]);
  });
});
