// Writes one region of flash through the stub's compressed-write commands and, when asked, checks its MD5.
//
// Where the time of a write goes, and what this module does about it:
// - Compressing the whole image first left the wire and the flash idle for a third of a second: FLASH_DEFL_BEGIN
//   goes out at once, so the stub starts erasing, and each block is compressed while the one before is on the wire.
//   BEGIN announces an upper bound of the block count. Both stubs take that count only to know whether more
//   compressed input may follow (`num_blocks * block_size` becomes the inflater's remaining input in esptool's
//   flasher_stub/stub_flasher.c and esp-flasher-stub's src/command_handler.c), and neither requires every announced
//   block; the MD5 at the end proves what arrived.
// - The stub holds one block beside the one it writes, so blocks go one answer at a time; the next frame is built
//   before that answer comes back (loader-exchange.ts).
// - No FLASH_DEFL_END after the region: esptool leaves flash mode once, after its last file, and FieldFlash resets the
//   board after the write. The MD5 question goes straight after the last block; the stub answers it once that
//   block is written. A region written in pieces is checked once, over the whole part, by the caller.
import { BlockDeflater, type DeflatedBlock } from './block-deflater.ts';
import { dataCommand, FLASH_DEFL_BEGIN, frameCommand, nextTask, SPI_FLASH_MD5, words, type LoaderExchange, type PreparedCommand } from './loader-exchange.ts';
import { hexOf } from './md5.ts';

export interface RegionProgress {
  /** Image bytes the board has taken so far, and in all. */
  written: number;
  total: number;
}

export interface RegionResult {
  /** Deflated bytes sent. */
  compressedBytes: number;
  /** MD5 of the bytes written (the data padded to whole words). */
  md5: string;
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
export function padToWord(data: Uint8Array): Uint8Array {
  const rest = data.length % 4;
  if (rest === 0) return data;
  const padded = new Uint8Array(data.length + 4 - rest).fill(0xff);
  padded.set(data);
  return padded;
}

/** zlib's deflateBound for any settings (stored blocks at worst), with the zlib wrapper. */
function deflateBound(length: number): number {
  return length + Math.floor((length + 7) / 8) + Math.floor((length + 63) / 64) + 5 + 6;
}

export function md5Command(address: number, length: number): PreparedCommand {
  return { op: SPI_FLASH_MD5, frame: frameCommand(SPI_FLASH_MD5, words(address, length, 0, 0)), description: 'calculate md5sum' };
}

/** The board's MD5 of [address, address + length), in lower-case hex. */
export async function flashMd5(exchange: LoaderExchange, address: number, length: number, extraWaitMs = 0): Promise<string> {
  return hexOf(await exchange.run(md5Command(address, length), exchange.timeoutFor('md5', length) + extraWaitMs, 16));
}

/** The board's MD5s of several regions, asked two at a time. */
export async function flashMd5s(exchange: LoaderExchange, regions: readonly { offset: number; length: number }[]): Promise<string[]> {
  const longest = Math.max(0, ...regions.map((r) => r.length));
  const answers = await exchange.runTwoAtATime(regions.map((r) => md5Command(r.offset, r.length)), exchange.timeoutFor('md5', longest), 16);
  return answers.map(hexOf);
}

/**
 * Erases (as it goes) and writes `data` at `address`, deflated at level 9 as esptool does, and with `verify` checks
 * the region's MD5 on the chip. Throws RegionWriteError with the offset of the block that failed.
 */
export async function writeRegion(
  exchange: LoaderExchange,
  data: Uint8Array,
  address: number,
  onProgress: (progress: RegionProgress) => void,
  /** Rejects when the port goes away: a write would otherwise wait out its timeout on a dead link. */
  lost: Promise<never>,
  options: { verify: boolean },
): Promise<RegionResult> {
  const unlessLost = <T>(step: Promise<T>): Promise<T> => {
    step.catch(() => undefined); // the losing side of the race settles later; nobody is waiting for it
    const raced = Promise.race([step, lost]);
    // The next block is deflated before this answer is awaited: a cable pulled meanwhile must not count as unhandled.
    raced.catch(() => undefined);
    return raced;
  };
  const image = padToWord(data);
  const blockSize = exchange.blockSize;
  const deflater = new BlockDeflater(image, blockSize);
  let current: DeflatedBlock | undefined;
  let md5 = '';
  try {
    const announced = Math.ceil(deflateBound(image.length) / blockSize);
    const begin: PreparedCommand = {
      op: FLASH_DEFL_BEGIN,
      frame: frameCommand(FLASH_DEFL_BEGIN, words(image.length, announced, blockSize, address)),
      description: 'enter compressed flash mode',
    };
    const begun = unlessLost(exchange.run(begin, exchange.defaultTimeout));
    await nextTask();
    let block = deflater.next();
    let command = block && dataCommand(block.seq, block.bytes);
    await begun;
    onProgress({ written: 0, total: image.length });
    // The answer to a block comes once the stub has written the block before it (esptool's timeout rule).
    let timeout = exchange.defaultTimeout;
    while (block && command) {
      current = block;
      const answered = unlessLost(exchange.run(command, timeout));
      await nextTask();
      const following = deflater.next();
      const followingCommand = following && dataCommand(following.seq, following.bytes);
      await answered;
      onProgress({ written: block.imageStart + block.imageLength, total: image.length });
      timeout = exchange.timeoutFor('erase-write', block.imageLength);
      block = following;
      command = followingCommand;
    }
    md5 = deflater.imageMd5();
    if (options.verify) {
      current = undefined;
      const onFlash = await unlessLost(flashMd5(exchange, address, image.length, timeout));
      if (onFlash !== md5) throw new Error('MD5 of file does not match data in flash!');
    }
  } catch (error) {
    throw new RegionWriteError(error, address + (current?.imageStart ?? 0));
  }
  return { compressedBytes: deflater.compressedBytes, md5 };
}
