// Registers esptool reads while identifying a chip and probing its flash.
import { describe, expect, it } from 'vitest';
import { ESP32ROM } from 'esptool-js/lib/targets/esp32.js';
import { ESP32S3ROM } from 'esptool-js/lib/targets/esp32s3.js';
import { EspEmulator } from '../src/index.ts';
import { le32, RawHost } from './helpers/raw-host.ts';

async function rom(chip: 'esp32' | 'esp32s3' | 'esp32c3', flashSize?: number, mac?: string) {
  const emulator = new EspEmulator({ chip, wireTime: false, powerOnBoot: 'download', ...(flashSize ? { flashSize } : {}), ...(mac ? { mac } : {}) });
  const host = new RawHost(emulator);
  emulator.powerCycle();
  await host.until(() => host.text().includes('waiting for download\r\n'));
  const read = async (address: number) => {
    const [r] = await host.exchange(0x0a, le32(address));
    return new DataView(r!.buffer, r!.byteOffset).getUint32(4, true);
  };
  const write = (address: number, value: number) => host.exchange(0x09, [...le32(address), ...le32(value), ...le32(0xffffffff), ...le32(0)]);
  return { emulator, host, read, write };
}

/** esptool's runSpiflashCommand, by hand: set up the SPI1 user command, start it, poll, read W0. */
async function spiCommand(chip: Awaited<ReturnType<typeof rom>>, regs: { base: number; usr: number; usr2: number; w0: number; misoDlen: number }, command: number, readBits: number) {
  await chip.write(regs.base + regs.misoDlen, readBits - 1);
  await chip.write(regs.base + regs.usr, (1 << 31) | (1 << 28));
  await chip.write(regs.base + regs.usr2, (7 << 28) | command);
  await chip.write(regs.base + regs.w0, 0);
  await chip.write(regs.base, 1 << 18);
  expect((await chip.read(regs.base)) & (1 << 18)).toBe(0);
  return chip.read(regs.base + regs.w0);
}

describe('registers', () => {
  it('reports the flash id scaled to the fitted size (EF 40 16 = 4 MB, EF 40 18 = 16 MB)', async () => {
    const t = new ESP32ROM();
    const regs = { base: t.SPI_REG_BASE, usr: t.SPI_USR_OFFS, usr2: t.SPI_USR2_OFFS, w0: t.SPI_W0_OFFS, misoDlen: t.SPI_MISO_DLEN_OFFS };
    expect((await spiCommand(await rom('esp32'), regs, 0x9f, 24)).toString(16)).toBe('1640ef');
    expect((await spiCommand(await rom('esp32', 16 * 1024 * 1024), regs, 0x9f, 24)).toString(16)).toBe('1840ef');
    const s3 = new ESP32S3ROM();
    const s3regs = { base: s3.SPI_REG_BASE, usr: s3.SPI_USR_OFFS, usr2: s3.SPI_USR2_OFFS, w0: s3.SPI_W0_OFFS, misoDlen: s3.SPI_MISO_DLEN_OFFS };
    expect((await spiCommand(await rom('esp32s3', 8 * 1024 * 1024), s3regs, 0x9f, 24)).toString(16)).toBe('1740ef');
  });

  it('answers an SFDP read with the "SFDP" signature at address 0', async () => {
    const t = new ESP32ROM();
    const chip = await rom('esp32');
    const base = t.SPI_REG_BASE;
    await chip.write(base + t.SPI_MISO_DLEN_OFFS, 31);
    await chip.write(base + t.SPI_USR1_OFFS, (23 << 26) | 7); // 24 address bits, 8 dummy cycles
    await chip.write(base + t.SPI_USR_OFFS, (1 << 31) | (1 << 30) | (1 << 29) | (1 << 28));
    await chip.write(base + t.SPI_USR2_OFFS, (7 << 28) | 0x5a);
    await chip.write(base + 0x04, 0 << 8);
    await chip.write(base, 1 << 18);
    expect(await chip.read(base + t.SPI_W0_OFFS)).toBe(0x50444653);
  });

  it('holds the MAC in eFuse words as esptool reads it back', async () => {
    const t = new ESP32ROM();
    const chip = await rom('esp32', undefined, 'aa:bb:cc:dd:ee:01');
    expect((await chip.read(t.EFUSE_RD_REG_BASE + 4)).toString(16)).toBe('ccddee01');
    expect((await chip.read(t.EFUSE_RD_REG_BASE + 8)) & 0xffff).toBe(0xaabb);
    const s3 = new ESP32S3ROM();
    const chipS3 = await rom('esp32s3', undefined, '34:85:18:00:00:02');
    expect((await chipS3.read(s3.MAC_EFUSE_REG)).toString(16)).toBe('18000002');
    expect((await chipS3.read(s3.MAC_EFUSE_REG + 4)) & 0xffff).toBe(0x3485);
  });

  it('shows the UART divider for the current baud rate (40 MHz / 115200 = 347.2)', async () => {
    const chip = await rom('esp32');
    const value = await chip.read(new ESP32ROM().UART_CLKDIV_REG);
    expect(value & 0xfffff).toBe(347);
    expect((40e6 / 115200) * 1).toBeCloseTo(347 + ((value >>> 20) & 0xf) / 16, 1);
  });

  it('keeps eFuses read-only', async () => {
    const t = new ESP32ROM();
    const chip = await rom('esp32');
    const before = await chip.read(t.EFUSE_RD_REG_BASE + 12);
    await chip.write(t.EFUSE_RD_REG_BASE + 12, 0);
    expect(await chip.read(t.EFUSE_RD_REG_BASE + 12)).toBe(before);
  });
});
