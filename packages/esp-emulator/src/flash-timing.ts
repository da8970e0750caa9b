// How long the NOR flash chip is busy. Typical figures from the Winbond W25Q32JV datasheet (32 Mbit, the 4 MB part
// on many ESP32 modules): tSE 45 ms per 4 KiB sector erase, tBE2 150 ms per 64 KiB block erase, tCE 10 s for the
// whole chip, tPP 0.4 ms per 256-byte page program. Chip erase scales with size as the family's datasheets show
// (W25Q64JV 20 s, W25Q128JV 40 s): 2.5 s per MiB. GigaDevice's GD25Q32 and GD25Q128 give figures of the same order.
//
// The flash is one busy resource: an operation starts when the chip issues it or when the previous one ends,
// whichever is later, so an erase and the program behind it are serialized as on a real chip.

export const PAGE_SIZE = 256;
export const BLOCK_SIZE = 0x10000;

export const FLASH_TIMING = {
  sectorEraseMs: 45,
  blockEraseMs: 150,
  chipEraseMsPerMiB: 2500,
  pageProgramMs: 0.4,
} as const;

export const chipEraseMs = (flashSize: number): number => (FLASH_TIMING.chipEraseMsPerMiB * flashSize) / (1024 * 1024);

/** Programming time of `bytes` bytes: a page's time per 256 bytes (a partial page in proportion, as tBP per byte). */
export const programMs = (bytes: number): number => (FLASH_TIMING.pageProgramMs * bytes) / PAGE_SIZE;

/** The time source the flash reads when an operation is issued: the chip's CPU time, in performance.now() ms. */
export interface FlashClock {
  /** False: every operation takes no time (fast tests). */
  timed(): boolean;
  now(): number;
}

export class FlashBusy {
  /** When the operation in progress ends (performance.now() ms). */
  private until = 0;
  /** Flash time spent on erasing and programming since the chip was made. */
  private total = 0;

  constructor(private readonly clock: FlashClock) {}

  get timed(): boolean {
    return this.clock.timed();
  }

  get busyMs(): number {
    return this.total;
  }

  /** When the flash is free for a new operation issued now. */
  idleAt(): number {
    const now = this.clock.now();
    return this.clock.timed() ? Math.max(now, this.until) : now;
  }

  /** Power is gone: whatever the chip was doing stops (its bytes stay as the operation left them at once). */
  powerLoss(): void {
    this.until = 0;
  }

  /** An operation of `ms` issued now; returns when it ends. */
  occupy(ms: number): number {
    if (!this.clock.timed()) return this.clock.now();
    this.until = this.idleAt() + ms;
    this.total += ms;
    return this.until;
  }
}
