// The ROM loader against esp-rom-protocol.md, byte for byte.
import { describe, expect, it } from 'vitest';
import { EspEmulator } from '../src/index.ts';
import { checksumOf, frame, hex, le32, RawHost, SYNC_DATA } from './helpers/raw-host.ts';

/** A chip powered up with BOOT held, its banner already read. */
async function romChip(chip: 'esp32' | 'esp32s3' | 'esp32c3' = 'esp32'): Promise<{ chip: EspEmulator; host: RawHost }> {
  const emulator = new EspEmulator({ chip, wireTime: false, powerOnBoot: 'download' });
  const host = new RawHost(emulator);
  emulator.powerCycle();
  await host.until(() => host.text().includes('waiting for download\r\n'));
  host.clear();
  return { chip: emulator, host };
}

describe('ROM loader', () => {
  it('prints the download banner after power-up with BOOT held', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download' });
    const host = new RawHost(chip);
    chip.powerCycle();
    await host.until(() => host.text().includes('waiting for download\r\n'));
    expect(host.text()).toBe(
      'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n',
    );
    expect(chip.state).toBe('rom-loader');
  });

  it('answers SYNC eight times with value 0x20120707 and a 4-byte status', async () => {
    const { host } = await romChip();
    await host.write(Uint8Array.from([0xc0, 0x00, 0x08, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, ...SYNC_DATA, 0xc0]));
    await host.until((b) => b.length >= 8 * 14);
    const one = 'c0 01 08 04 00 07 07 12 20 00 00 00 00 c0';
    expect(hex(host.bytes)).toBe(new Array(8).fill(one).join(' '));
  });

  it('reads the chip-detect magic register exactly as a real ESP32 answers', async () => {
    const { host } = await romChip();
    host.clear();
    await host.write(Uint8Array.from([0xc0, 0x00, 0x0a, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x40, 0xc0]));
    await host.until((b) => b.length >= 14);
    expect(hex(host.bytes)).toBe('c0 01 0a 04 00 83 1d f0 00 00 00 00 00 c0');
  });

  it('answers an unknown command with 01 05 under the previous op byte, once per previous answer', async () => {
    const { host } = await romChip();
    await host.exchange(0x08, SYNC_DATA, 0, 8);
    const afterSync = await host.exchange(0xd0, [], 0, 8);
    for (const f of afterSync) expect(hex(f)).toBe('01 08 04 00 07 07 12 20 01 05 00 00');
    await host.exchange(0x0a, le32(0x40001000));
    const afterRead = await host.exchange(0x14);
    expect(hex(afterRead[0]!)).toBe('01 0a 04 00 83 1d f0 00 01 05 00 00');
    await new Promise((r) => setTimeout(r, 20));
    expect(host.frames().length).toBe(8 + 8 + 1 + 1);
  });

  it('rejects stub-only commands (READ_FLASH, ERASE_FLASH) with 01 05', async () => {
    const { host } = await romChip();
    await host.exchange(0x0a, le32(0x40001000));
    for (const op of [0xd0, 0xd1, 0xd2, 0xd3]) {
      const [reply] = await host.exchange(op, op === 0xd2 ? [...le32(0), ...le32(16), ...le32(0x1000), ...le32(64)] : []);
      expect(Array.from(reply!.subarray(8))).toEqual([0x01, 0x05, 0x00, 0x00]);
    }
  });

  it('has no GET_SECURITY_INFO on the ESP32 but answers it on the S3 and C3 with their chip ids', async () => {
    const esp32 = await romChip('esp32');
    await esp32.host.exchange(0x0a, le32(0x40001000));
    const [reply32] = await esp32.host.exchange(0x14);
    expect(reply32![1]).not.toBe(0x14);
    expect(Array.from(reply32!.subarray(8))).toEqual([1, 5, 0, 0]);

    for (const [name, id] of [['esp32s3', 9], ['esp32c3', 5]] as const) {
      const { host } = await romChip(name);
      const [reply] = await host.exchange(0x14);
      expect(hex(reply!.subarray(0, 4))).toBe('01 14 18 00');
      const body = reply!.subarray(8);
      expect(body.length).toBe(24);
      expect(new DataView(body.buffer, body.byteOffset).getUint32(12, true)).toBe(id);
      expect(Array.from(body.subarray(20))).toEqual([0, 0, 0, 0]);
    }
  });

  it('escapes C0 and DB inside frames in both directions', async () => {
    const { host } = await romChip();
    // The address itself contains C0 (escaped on the way in), the value C0 and DB (escaped on the way out).
    const address = 0x3ffec0db;
    await host.exchange(0x09, [...le32(address), ...le32(0xdbc0c0db), ...le32(0xffffffff), ...le32(0)]);
    host.clear();
    await host.send(0x0a, le32(address));
    await host.until((b) => b.length >= 18);
    expect(hex(host.bytes)).toBe('c0 01 0a 04 00 db dd db dc db dc db dd 00 00 00 00 c0');
  });

  it('verifies FLASH_DATA checksums (01 07) and writes blocks at offset + seq × block size', async () => {
    const { chip, host } = await romChip();
    const block = Array.from({ length: 0x400 }, (_, i) => (i * 7) & 0xff);
    const [begin] = await host.exchange(0x02, [...le32(0x800), ...le32(2), ...le32(0x400), ...le32(0x20000), ...le32(0)]);
    expect(Array.from(begin!.subarray(8))).toEqual([0, 0, 0, 0]);
    const header = (seq: number) => [...le32(block.length), ...le32(seq), ...le32(0), ...le32(0)];
    const [bad] = await host.exchange(0x03, [...header(0), ...block], checksumOf(block) ^ 1);
    expect(hex(bad!.subarray(0, 2))).toBe('01 03');
    expect(Array.from(bad!.subarray(8))).toEqual([0x01, 0x07, 0x00, 0x00]);
    await host.exchange(0x03, [...header(0), ...block], checksumOf(block));
    await host.exchange(0x03, [...header(1), ...block], checksumOf(block));
    expect(Array.from(chip.readFlash(0x20000, 0x400))).toEqual(block);
    expect(Array.from(chip.readFlash(0x20400, 0x400))).toEqual(block);
  });

  it('answers SPI_FLASH_MD5 with 32 lowercase hex characters', async () => {
    const { chip, host } = await romChip();
    chip.loadFlash(0x1000, new TextEncoder().encode('The quick brown fox jumps over the lazy dog'));
    const [reply] = await host.exchange(0x13, [...le32(0x1000), ...le32(43), ...le32(0), ...le32(0)]);
    expect(hex(reply!.subarray(0, 4))).toBe('01 13 24 00');
    expect(new TextDecoder().decode(reply!.subarray(8, 40))).toBe('9e107d9d372bb6826bd81d3542a419d6');
    expect(Array.from(reply!.subarray(40))).toEqual([0, 0, 0, 0]);
  });

  it('answers CHANGE_BAUDRATE at the old rate, then only understands the new one', async () => {
    const { chip, host } = await romChip();
    const [reply] = await host.exchange(0x0f, [...le32(921600), ...le32(0)]);
    expect(hex(reply!.subarray(0, 2))).toBe('01 0f');
    expect(chip.uartBaud).toBe(921600);
    // Still at 115200, the host's next request arrives as noise and its answer as noise too.
    const before = host.frames().length;
    await host.send(0x0a, le32(0x40001000));
    await new Promise((r) => setTimeout(r, 30));
    expect(host.frames().slice(before).some((f) => f[0] === 0x01 && f[1] === 0x0a)).toBe(false);
    host.baud = 921600;
    const [ok] = await host.exchange(0x0a, le32(0x40001000));
    expect(hex(ok!)).toBe('01 0a 04 00 83 1d f0 00 00 00 00 00');
  });

  it('reads 64 bytes with READ_FLASH_SLOW whatever length is asked', async () => {
    const { chip, host } = await romChip();
    chip.loadFlash(0x3000, Uint8Array.from({ length: 64 }, (_, i) => i));
    const [reply] = await host.exchange(0x0e, [...le32(0x3000), ...le32(16)]);
    expect(reply!.length).toBe(8 + 64 + 4);
    expect(Array.from(reply!.subarray(8, 72))).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('ignores bytes outside frames and packets from the wrong direction', async () => {
    const { host } = await romChip();
    await host.write(Uint8Array.from([0x41, 0x42, ...frame([0x01, 0x0a, 0x04, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0x40])]));
    await new Promise((r) => setTimeout(r, 20));
    expect(host.frames()).toEqual([]);
  });
});
