// Flash timing: erases and programs keep the emulated flash busy for their datasheet time, one after another,
// and the stub's answers wait for the flash as a real stub's do. Real-time checks here are lower bounds only.
import { deflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { EspEmulator } from '../src/index.ts';
import { NorFlash } from '../src/flash.ts';
import { chipEraseMs, FLASH_TIMING, programMs } from '../src/flash-timing.ts';
import { checksumOf, le32, RawHost } from './helpers/raw-host.ts';
import { stubChip } from './helpers/stub-chip.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A flash whose clock stands still at t = 1000 ms: only the flash's own busy time moves. */
function timedFlash(size = MiB): NorFlash {
  return new NorFlash(size, { timed: () => true, now: () => 1000 });
}

const blockHeader = (length: number, seq: number) => [...le32(length), ...le32(seq), ...le32(0), ...le32(0)];

describe('flash clock', () => {
  it('an erase of N sectors takes N × 45 ms of flash time', () => {
    const flash = timedFlash();
    for (let s = 0; s < 5; s++) flash.eraseSector(0x20000 + s * 0x1000);
    expect(flash.busy.busyMs).toBeCloseTo(5 * 45, 9);
    expect(flash.busy.idleAt()).toBeCloseTo(1000 + 5 * 45, 9);
  });

  it('erases 64 KiB blocks where the range is aligned and long enough, sectors elsewhere', () => {
    const flash = timedFlash();
    // 0x0f000..0x32000: one sector up to the block boundary, two blocks, two sectors after.
    flash.eraseRange(0xf000, 0x23000);
    expect(flash.counters.sectorsErased).toBe(1 + 32 + 2);
    expect(flash.busy.busyMs).toBeCloseTo(3 * FLASH_TIMING.sectorEraseMs + 2 * FLASH_TIMING.blockEraseMs, 9);
  });

  it('an erase then a program are serialized: the program starts when the erase ends', () => {
    const flash = timedFlash();
    flash.eraseSector(0x1000);
    flash.program(0x1000, new Uint8Array(4096).fill(0x11));
    expect(programMs(4096)).toBeCloseTo(16 * 0.4, 9);
    expect(flash.busy.idleAt()).toBeCloseTo(1000 + 45 + 16 * 0.4, 9);
  });

  it('a whole-chip erase scales with size: 10 s for 4 MB, 40 s for 16 MB', () => {
    expect(chipEraseMs(4 * MiB)).toBe(10_000);
    expect(chipEraseMs(16 * MiB)).toBe(40_000);
    const flash = timedFlash(4 * MiB);
    flash.eraseAll();
    expect(flash.busy.idleAt()).toBe(11_000);
  });

  it('takes no time with the clock off', () => {
    const flash = new NorFlash(MiB);
    flash.eraseRange(0, MiB);
    flash.program(0, new Uint8Array(MiB));
    expect(flash.busy.busyMs).toBe(0);
  });
});

describe('stub with flash time on', () => {
  it('answers ERASE_REGION only once its sectors are erased', async () => {
    const { chip, host } = await stubChip('esp32', undefined, { flashTime: true });
    const sent = performance.now();
    const [reply] = await host.exchange(0xd1, [...le32(0x1000), ...le32(3 * 0x1000)]);
    const waited = performance.now() - sent;
    expect(Array.from(reply!.subarray(8))).toEqual([0, 0]);
    expect(chip.stats.flashBusyMs).toBeCloseTo(3 * 45, 9);
    expect(waited).toBeGreaterThanOrEqual(3 * 45 - 1);
  });

  it('answers ERASE_FLASH after the whole-chip erase time', async () => {
    const { chip, host } = await stubChip('esp32', 256 * KiB, { flashTime: true });
    const sent = performance.now();
    const [reply] = await host.exchange(0xd0, [], 0, 1);
    expect(Array.from(reply!.subarray(8))).toEqual([0, 0]);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(chipEraseMs(256 * KiB) - 1);
  });

  it('acknowledges a deflated block on arrival and writes it before the next command is answered', async () => {
    const { chip, host } = await stubChip('esp32', undefined, { flashTime: true });
    const image = new Uint8Array(256 * KiB).fill(0x00);
    const compressed = deflate(image);
    // The flash starts on the region once BEGIN is in (erasing ahead while the block is on its way).
    const sent = performance.now();
    await host.exchange(0x10, [...le32(image.length), ...le32(1), ...le32(0x4000), ...le32(0x40000)]);
    const [ack] = await host.exchange(0x11, [...blockHeader(compressed.length, 0), ...compressed], checksumOf(compressed));
    const ackedAfter = performance.now() - sent;
    const [end] = await host.exchange(0x12, le32(1));
    const endedAfter = performance.now() - sent;
    expect(Array.from(ack!.subarray(8))).toEqual([0, 0]);
    expect(Array.from(end!.subarray(8))).toEqual([0, 0]);
    // Four 64 KiB block erases and 1024 page programs, one after another on the flash.
    const flashMs = 4 * FLASH_TIMING.blockEraseMs + programMs(image.length);
    expect(chip.stats.flashBusyMs).toBeCloseTo(flashMs, 6);
    expect(endedAfter).toBeGreaterThanOrEqual(flashMs - 1);
    expect(ackedAfter).toBeLessThan(endedAfter);
    expect(chip.readFlash(0x40000, image.length)).toEqual(image);
  });

  it('erases ahead in the background while it waits for the next block', async () => {
    const { chip, host } = await stubChip('esp32', undefined, { flashTime: true });
    await host.exchange(0x10, [...le32(MiB), ...le32(64), ...le32(0x4000), ...le32(0x100000)]);
    const erasedAtBegin = chip.stats.flashSectorsErased;
    await new Promise((r) => setTimeout(r, 400));
    await host.exchange(0x0a, le32(0x40001000)); // any command: the stub was idle until it came
    // Blocks were started at 0, 150 and 300 ms of idling at least.
    expect(chip.stats.flashSectorsErased - erasedAtBegin).toBeGreaterThanOrEqual(3 * 16);
    expect(chip.readFlash(0x100000, 3 * 0x10000).every((b) => b === 0xff)).toBe(true);
  });
});

describe('ROM loader with flash time on', () => {
  it('erases the whole region before answering FLASH_BEGIN, and writes a block before answering it', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, flashTime: true, powerOnBoot: 'download' });
    const host = new RawHost(chip);
    chip.powerCycle();
    await host.until(() => host.text().includes('waiting for download\r\n'));
    host.clear();
    let sent = performance.now();
    const [begin] = await host.exchange(0x02, [...le32(0x20000), ...le32(32), ...le32(0x1000), ...le32(0x10000)]);
    expect(Array.from(begin!.subarray(8))).toEqual([0, 0, 0, 0]);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(2 * FLASH_TIMING.blockEraseMs - 1);
    expect(chip.stats.flashBusyMs).toBeCloseTo(2 * FLASH_TIMING.blockEraseMs, 9);

    const block = new Array<number>(0x1000).fill(0x42);
    sent = performance.now();
    const [data] = await host.exchange(0x03, [...blockHeader(block.length, 0), ...block], checksumOf(block));
    expect(Array.from(data!.subarray(8))).toEqual([0, 0, 0, 0]);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(programMs(block.length) - 1);
    expect(chip.readFlash(0x10000, 4)).toEqual(Uint8Array.of(0x42, 0x42, 0x42, 0x42));
    chip.dispose();
  });
});
