// A NOR flash chip: erased bits read 1, programming can only clear bits (so writing over old data
// without erasing ANDs the two, exactly the corruption a real chip shows), erase works on 4 KiB sectors or
// 64 KiB blocks. With a clock, every erase and program keeps the chip busy for its datasheet time (flash-timing.ts).
import { BLOCK_SIZE, chipEraseMs, FLASH_TIMING, FlashBusy, programMs, type FlashClock } from './flash-timing.ts';

export const SECTOR_SIZE = 0x1000;
export const DEFAULT_FLASH_SIZE = 4 * 1024 * 1024;

export class FlashRangeError extends RangeError {
  constructor(what: string, offset: number, length: number, size: number) {
    super(`${what} 0x${offset.toString(16)}+0x${length.toString(16)} lies outside the ${size / 1024 / 1024} MiB flash`);
    this.name = 'FlashRangeError';
  }
}

export interface FlashCounters {
  sectorsErased: number;
  bytesProgrammed: number;
}

export class NorFlash {
  readonly size: number;
  private readonly cells: Uint8Array;
  readonly counters: FlashCounters = { sectorsErased: 0, bytesProgrammed: 0 };
  /** When the chip is free again; without a clock every operation is instant. */
  readonly busy: FlashBusy;

  constructor(size: number = DEFAULT_FLASH_SIZE, clock: FlashClock = { timed: () => false, now: () => performance.now() }) {
    if (!Number.isInteger(size) || size < SECTOR_SIZE || size % SECTOR_SIZE !== 0 || (size & (size - 1)) !== 0) {
      throw new RangeError(`flash size must be a power of two of at least 4 KiB, got ${size}`);
    }
    this.size = size;
    this.cells = new Uint8Array(size).fill(0xff);
    this.busy = new FlashBusy(clock);
  }

  contains(offset: number, length: number): boolean {
    return Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size;
  }

  /** A copy of the bytes (callers may keep it). */
  read(offset: number, length: number): Uint8Array {
    return this.view(offset, length).slice();
  }

  /** The live bytes, without copying; for the chip's own readers (MD5, boot, READ_FLASH). */
  view(offset: number, length: number): Uint8Array {
    if (!this.contains(offset, length)) throw new FlashRangeError('read', offset, length, this.size);
    return this.cells.subarray(offset, offset + length);
  }

  /** Erases every sector that the range touches (the chip cannot erase less than a sector), whole 64 KiB blocks where aligned. */
  eraseRange(offset: number, length: number): void {
    if (length === 0) return;
    if (!this.contains(offset, length)) throw new FlashRangeError('erase', offset, length, this.size);
    let at = Math.floor(offset / SECTOR_SIZE) * SECTOR_SIZE;
    const end = offset + length;
    while (at < end) at += this.eraseUnitAt(at, end);
  }

  /** Erases a 64 KiB block at `at` if it is aligned and `end` lies beyond it, else a sector; returns the size erased. */
  eraseUnitAt(at: number, end: number): number {
    if (at % BLOCK_SIZE === 0 && end - at >= BLOCK_SIZE) {
      this.eraseBlock(at);
      return BLOCK_SIZE;
    }
    this.eraseSector(at);
    return SECTOR_SIZE;
  }

  eraseBlock(offset: number): void {
    if (offset % BLOCK_SIZE !== 0) throw new RangeError(`block erase needs a 64 KiB aligned address, got 0x${offset.toString(16)}`);
    if (!this.contains(offset, BLOCK_SIZE)) throw new FlashRangeError('erase', offset, BLOCK_SIZE, this.size);
    this.cells.fill(0xff, offset, offset + BLOCK_SIZE);
    this.counters.sectorsErased += BLOCK_SIZE / SECTOR_SIZE;
    this.busy.occupy(FLASH_TIMING.blockEraseMs);
  }

  eraseSector(offset: number): void {
    if (offset % SECTOR_SIZE !== 0) throw new RangeError(`sector erase needs a 4 KiB aligned address, got 0x${offset.toString(16)}`);
    if (!this.contains(offset, SECTOR_SIZE)) throw new FlashRangeError('erase', offset, SECTOR_SIZE, this.size);
    this.cells.fill(0xff, offset, offset + SECTOR_SIZE);
    this.counters.sectorsErased++;
    this.busy.occupy(FLASH_TIMING.sectorEraseMs);
  }

  eraseAll(): void {
    this.cells.fill(0xff);
    this.counters.sectorsErased += this.size / SECTOR_SIZE;
    this.busy.occupy(chipEraseMs(this.size));
  }

  /** Page-program semantics: each bit can only go from 1 to 0. */
  program(offset: number, bytes: Uint8Array): void {
    if (!this.contains(offset, bytes.length)) throw new FlashRangeError('write', offset, bytes.length, this.size);
    const cells = this.cells;
    for (let i = 0; i < bytes.length; i++) cells[offset + i] = cells[offset + i]! & bytes[i]!;
    this.counters.bytesProgrammed += bytes.length;
    if (bytes.length > 0) this.busy.occupy(programMs(bytes.length));
  }

  /** Puts bytes in place as if a previous session had erased and written them (test and demo setup). */
  load(offset: number, bytes: Uint8Array): void {
    if (!this.contains(offset, bytes.length)) throw new FlashRangeError('load', offset, bytes.length, this.size);
    this.cells.set(bytes, offset);
  }
}
