// The flasher stub: upload and OHAI, 2-byte status, erase/read commands, streaming inflate, flow control.
import { deflate, Inflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { EspEmulator } from '../src/index.ts';
import { checksumOf, frame, hex, le32, RawHost } from './helpers/raw-host.ts';
import { STUB_TEXT_START, stubChip } from './helpers/stub-chip.ts';

const blockHeader = (length: number, seq: number) => [...le32(length), ...le32(seq), ...le32(0), ...le32(0)];

describe('flasher stub', () => {
  it('greets with a bare OHAI frame after MEM_END', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download' });
    const host = new RawHost(chip);
    await host.exchange(0x05, [...le32(4), ...le32(1), ...le32(0x1800), ...le32(STUB_TEXT_START)]);
    await host.exchange(0x07, [...blockHeader(4, 0), 1, 2, 3, 4], checksumOf([1, 2, 3, 4]));
    host.clear();
    await host.send(0x06, [...le32(0), ...le32(STUB_TEXT_START)]);
    await host.until((b) => b.length >= 14 + 6);
    expect(hex(host.bytes.slice(14))).toBe('c0 4f 48 41 49 c0');
  });

  it('answers SYNC eight times with value 0 and a 2-byte status', async () => {
    const { host } = await stubChip();
    const replies = await host.exchange(0x08, [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)], 0, 8);
    for (const r of replies) expect(hex(r)).toBe('01 08 02 00 00 00 00 00 00 00');
  });

  it('reads registers with a 2-byte status and rejects unknown commands with C3', async () => {
    const { host } = await stubChip();
    const [reg] = await host.exchange(0x0a, le32(0x40001000));
    expect(hex(reg!)).toBe('01 0a 02 00 83 1d f0 00 00 00');
    const [unknown] = await host.exchange(0x55);
    expect(hex(unknown!)).toBe('01 55 02 00 00 00 00 00 c3 00');
  });

  it('answers SPI_FLASH_MD5 with 16 raw bytes', async () => {
    const { chip, host } = await stubChip();
    chip.loadFlash(0x1000, new TextEncoder().encode('The quick brown fox jumps over the lazy dog'));
    const [reply] = await host.exchange(0x13, [...le32(0x1000), ...le32(43), ...le32(0), ...le32(0)]);
    expect(hex(reply!)).toBe('01 13 12 00 00 00 00 00 9e 10 7d 9d 37 2b b6 82 6b d8 1d 35 42 a4 19 d6 00 00');
  });

  it('gives security info on S3/C3 and "not implemented" (FF) on the ESP32', async () => {
    const esp32 = await stubChip('esp32');
    const [no] = await esp32.host.exchange(0x14);
    expect(hex(no!)).toBe('01 14 02 00 00 00 00 00 ff 00');
    const s3 = await stubChip('esp32s3');
    const [info] = await s3.host.exchange(0x14);
    expect(hex(info!.subarray(0, 4))).toBe('01 14 16 00');
    expect(info![8 + 12]).toBe(9);
  });

  it('inflates FLASH_DEFL_DATA as a stream, whatever the block boundaries', async () => {
    const { chip, host } = await stubChip('esp32', 8 * 1024 * 1024);
    let seed = 7;
    const image = Uint8Array.from({ length: 150_000 }, (_, i) => (i % 1000 < 500 ? i & 0xff : (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    const compressed = deflate(image, { level: 9 });
    const blockSize = 3001; // odd on purpose: blocks end mid-symbol
    const blocks = Math.ceil(compressed.length / blockSize);
    const [begin] = await host.exchange(0x10, [...le32(image.length), ...le32(blocks), ...le32(blockSize), ...le32(0x100000)]);
    expect(hex(begin!.subarray(8))).toBe('00 00');
    for (let seq = 0; seq < blocks; seq++) {
      const block = Array.from(compressed.subarray(seq * blockSize, (seq + 1) * blockSize));
      const [reply] = await host.exchange(0x11, [...blockHeader(block.length, seq), ...block], checksumOf(block));
      expect(hex(reply!.subarray(8))).toBe('00 00');
    }
    const [end] = await host.exchange(0x12, le32(1));
    expect(hex(end!.subarray(8))).toBe('00 00');
    expect(chip.readFlash(0x100000, image.length)).toEqual(image);
    expect(chip.state).toBe('stub');
  });

  it('writes an inflated stream 32 KiB at a time, as its inflate buffer fills, and the rest at the end', async () => {
    const { chip, host } = await stubChip('esp32', 8 * 1024 * 1024);
    let seed = 11;
    const image = Uint8Array.from({ length: 80_000 }, () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24); // barely compresses
    const compressed = deflate(image, { level: 9 });
    const blockSize = 0x4000;
    const blocks = Math.ceil(compressed.length / blockSize);
    await host.exchange(0x10, [...le32(image.length), ...le32(blocks), ...le32(blockSize), ...le32(0x100000)]);
    const programmed: number[] = [];
    const inflated: number[] = [];
    const counter = new Inflate();
    let total = 0;
    counter.onData = (chunk) => (total += (chunk as Uint8Array).length);
    for (let seq = 0; seq < blocks; seq++) {
      const block = compressed.subarray(seq * blockSize, (seq + 1) * blockSize);
      const [reply] = await host.exchange(0x11, [...blockHeader(block.length, seq), ...block], checksumOf(block));
      expect(hex(reply!.subarray(8))).toBe('00 00');
      await host.exchange(0x0a, le32(0x40001000)); // the block is taken in before this is answered
      programmed.push(chip.stats.flashBytesProgrammed);
      counter.push(block, 2);
      inflated.push(total);
    }
    // Written in whole 32 KiB buffers as the stream fills them; the end of the stream writes what is left.
    expect(programmed).toEqual(inflated.map((n, i) => (i === blocks - 1 ? image.length : Math.floor(n / 0x8000) * 0x8000)));
    expect(programmed.slice(0, -1)).toContain(0);
    expect(chip.readFlash(0x100000, image.length)).toEqual(image);
  });

  it('reports missing data at FLASH_DEFL_END (C8) and a broken stream on the next command (C7)', async () => {
    const { host } = await stubChip();
    const image = new Uint8Array(20_000).fill(0x42);
    const compressed = Array.from(deflate(image));
    const half = compressed.slice(0, Math.floor(compressed.length / 2));
    await host.exchange(0x10, [...le32(image.length * 2), ...le32(1), ...le32(0x4000), ...le32(0x10000)]);
    await host.exchange(0x11, [...blockHeader(compressed.length, 0), ...compressed], checksumOf(compressed));
    const [short] = await host.exchange(0x12, le32(1));
    expect(hex(short!.subarray(8))).toBe('c8 00');

    await host.exchange(0x10, [...le32(image.length), ...le32(2), ...le32(0x4000), ...le32(0x10000)]);
    const garbage = half.map((b) => b ^ 0x5a);
    const [acked] = await host.exchange(0x11, [...blockHeader(garbage.length, 0), ...garbage], checksumOf(garbage));
    expect(hex(acked!.subarray(8))).toBe('00 00'); // the stub acknowledges before inflating
    const [reported] = await host.exchange(0x12, le32(1));
    expect(hex(reported!.subarray(8))).toBe('c7 00');
  });

  it('rejects a block with a wrong checksum (C1) and accepts it when resent', async () => {
    const { chip, host } = await stubChip();
    const data = Array.from({ length: 0x4000 }, (_, i) => i & 0xff);
    await host.exchange(0x02, [...le32(0x4000), ...le32(1), ...le32(0x4000), ...le32(0x8000)]);
    const [bad] = await host.exchange(0x03, [...blockHeader(data.length, 0), ...data], checksumOf(data) ^ 0x10);
    expect(hex(bad!.subarray(8))).toBe('c1 00');
    const [good] = await host.exchange(0x03, [...blockHeader(data.length, 0), ...data], checksumOf(data));
    expect(hex(good!.subarray(8))).toBe('00 00');
    await host.exchange(0x04, le32(1));
    expect(Array.from(chip.readFlash(0x8000, 0x4000))).toEqual(data);
  });

  it('erases 4 KiB-aligned regions only, and whole chips', async () => {
    const { chip, host } = await stubChip();
    chip.loadFlash(0x2000, new Uint8Array(0x3000).fill(0x11));
    const [unaligned] = await host.exchange(0xd1, [...le32(0x3000), ...le32(0x800)]);
    expect(hex(unaligned!.subarray(8))).toBe('c0 00');
    const [ok] = await host.exchange(0xd1, [...le32(0x3000), ...le32(0x1000)]);
    expect(hex(ok!.subarray(8))).toBe('00 00');
    expect(chip.readFlash(0x2fff, 1)[0]).toBe(0x11);
    expect(chip.readFlash(0x3000, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(chip.readFlash(0x4000, 1)[0]).toBe(0x11);
    await host.exchange(0xd0);
    expect(chip.readFlash(0, chip.flashSize).every((b) => b === 0xff)).toBe(true);
  });

  it('sends READ_FLASH data one block at a time, each after the previous acknowledgement, then the MD5', async () => {
    const { chip, host } = await stubChip();
    const data = Uint8Array.from({ length: 0x2800 }, (_, i) => (i * 13) & 0xff);
    chip.loadFlash(0x40000, data);
    const [status] = await host.exchange(0xd2, [...le32(0x40000), ...le32(data.length), ...le32(0x1000), ...le32(64)]);
    expect(hex(status!)).toBe('01 d2 02 00 00 00 00 00 00 00');
    const first = (await host.waitFrames(2))[1]!;
    expect(first).toEqual(data.subarray(0, 0x1000));
    await new Promise((r) => setTimeout(r, 20));
    expect(host.frames().length).toBe(2); // nothing more until acknowledged
    await host.write(frame(le32(0x1000)));
    expect((await host.waitFrames(3))[2]).toEqual(data.subarray(0x1000, 0x2000));
    await host.write(frame(le32(0x2000)));
    expect((await host.waitFrames(4))[3]).toEqual(data.subarray(0x2000));
    await new Promise((r) => setTimeout(r, 20));
    expect(host.frames().length).toBe(4); // the MD5 waits for the last acknowledgement
    await host.write(frame(le32(0x2800)));
    const md5 = (await host.waitFrames(5))[4]!;
    const [digest] = await host.exchange(0x13, [...le32(0x40000), ...le32(data.length), ...le32(0), ...le32(0)]);
    expect(hex(md5)).toBe(hex(digest!.subarray(8, 24)));
  });

  it('stays in the stub after FLASH_END 1 and drops back to the ROM loader after FLASH_END 0', async () => {
    const { chip, host } = await stubChip();
    await host.exchange(0x02, [...le32(0), ...le32(0), ...le32(0x4000), ...le32(0)]);
    await host.exchange(0x04, le32(1));
    expect(chip.state).toBe('stub');
    await host.exchange(0x02, [...le32(0), ...le32(0), ...le32(0x4000), ...le32(0)]);
    await host.exchange(0x04, le32(0));
    await host.until(() => host.text().includes('waiting for download'));
    expect(host.text()).toContain('rst:0xc (SW_CPU_RESET),boot:0x3');
    expect(chip.state).toBe('rom-loader');
  });
});
