// Writes one region of flash through esptool-js's compressed-flash commands, then checks its MD5 on the chip.
//
// ESPLoader.writeFlash does the same, but inflates the image again with a one-byte output buffer to learn each
// block's offset: about 1.3 s of main-thread work for a 2 MiB app, during which the wire sits idle (a tenth of the
// time at 921600 baud). Driving flashDeflBegin/flashDeflBlock/flashDeflFinish ourselves, with one ordinary inflate
// pass for the offsets, keeps the wire busy.
import type { ESPLoader } from 'esptool-js';
import { deflate, Inflate } from 'pako';
import { md5Hex } from './md5.ts';

const Z_SYNC_FLUSH = 2;

export interface RegionProgress {
  /** Compressed bytes sent so far, and in all. */
  sent: number;
  total: number;
}

export class RegionWriteError extends Error {
  constructor(
    override readonly cause: unknown,
    /** Absolute flash offset of the block being written when it failed. */
    readonly offset: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RegionWriteError';
  }
}

/** What the stub needs: whole 32-bit words (esptool pads with 0xFF as well). */
function padToWord(data: Uint8Array): Uint8Array {
  const rest = data.length % 4;
  if (rest === 0) return data;
  const padded = new Uint8Array(data.length + 4 - rest).fill(0xff);
  padded.set(data);
  return padded;
}

/**
 * How many uncompressed bytes the stream holds at the end of each block: one inflate pass with normal buffers,
 * flushed at every block boundary. Sets each block's timeout (erasing and writing take time per uncompressed byte)
 * and names the exact offset if a block fails.
 */
function blockEnds(compressed: Uint8Array, blockSize: number): number[] {
  const inflate = new Inflate();
  let produced = 0;
  inflate.onData = (chunk) => {
    produced += (chunk as Uint8Array).length;
  };
  const ends: number[] = [];
  for (let at = 0; at < compressed.length; at += blockSize) {
    inflate.push(compressed.subarray(at, at + blockSize), Z_SYNC_FLUSH);
    ends.push(produced);
  }
  return ends;
}

/**
 * Erases (as it goes) and writes `data` at `address`, deflated at level 9 as esptool does, and verifies the region's
 * MD5 on the chip. Returns the number of compressed bytes sent. Throws RegionWriteError with the failing offset.
 */
export async function writeRegion(
  loader: ESPLoader,
  data: Uint8Array,
  address: number,
  onProgress: (progress: RegionProgress) => void,
  /** Rejects when the port goes away: esptool-js would otherwise retry a dead link for seconds. */
  lost: Promise<never>,
): Promise<number> {
  const unlessLost = <T>(step: Promise<T>): Promise<T> => {
    step.catch(() => undefined); // the losing side of the race settles later; nobody is waiting for it
    return Promise.race([step, lost]);
  };
  const image = padToWord(data);
  const compressed = deflate(image, { level: 9 });
  const blockSize = loader.FLASH_WRITE_SIZE;
  const ends = blockEnds(compressed, blockSize);
  let seq = 0;
  try {
    const blocks = await unlessLost(loader.flashDeflBegin(image.length, compressed.length, address));
    onProgress({ sent: 0, total: compressed.length });
    // The stub acknowledges a block on arrival and writes it while the next one comes in, so each block's wait
    // covers the previous block's erase and write (esptool's own timing rule).
    let timeout = loader.DEFAULT_TIMEOUT;
    for (; seq < blocks; seq++) {
      const block = compressed.subarray(seq * blockSize, (seq + 1) * blockSize);
      await unlessLost(loader.flashDeflBlock(block, seq, timeout));
      const uncompressed = (ends[seq] ?? 0) - (ends[seq - 1] ?? 0);
      timeout = Math.max(loader.DEFAULT_TIMEOUT, loader.timeoutPerMb(loader.ERASE_WRITE_TIMEOUT_PER_MB, uncompressed));
      onProgress({ sent: Math.min(compressed.length, (seq + 1) * blockSize), total: compressed.length });
    }
    // Stay in the loader (no reboot): more regions may follow, and the reset into the app comes last.
    await unlessLost(loader.flashDeflFinish(false, timeout));
  } catch (error) {
    throw new RegionWriteError(error, address + (ends[seq - 1] ?? 0));
  }
  const expected = md5Hex(image);
  const onFlash = await unlessLost(loader.flashMd5sum(address, image.length));
  if (onFlash !== expected) {
    throw new RegionWriteError(new Error('MD5 of file does not match data in flash!'), address);
  }
  return compressed.length;
}
