// The auto-reset circuit, strapping, and what the chip prints when it boots from flash.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EspEmulator, romCrc32Le } from '../src/index.ts';
import { le32, RawHost } from './helpers/raw-host.ts';

const FIXTURE = new URL('../../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURE)));
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function partition(label: string, type: number, subtype: number, offset: number, size: number): number[] {
  const name = Array.from(new TextEncoder().encode(label.padEnd(16, '\0')));
  return [0xaa, 0x50, type, subtype, ...le32(offset), ...le32(size), ...name, ...le32(0)];
}

function table(...entries: number[][]): Uint8Array {
  const bytes = new Uint8Array(0xc00).fill(0xff);
  bytes.set(entries.flat());
  return bytes;
}

function otaEntry(seq: number): Uint8Array {
  const entry = new Uint8Array(32).fill(0xff);
  entry.set(le32(seq), 0);
  entry.set(le32(romCrc32Le(0xffffffff, Uint8Array.from(le32(seq)))), 28);
  return entry;
}

/** A board whose port is open (both lines asserted, as a tty open leaves them). */
function board(options: ConstructorParameters<typeof EspEmulator>[0], baud = 115200): { chip: EspEmulator; host: RawHost } {
  const chip = new EspEmulator(options);
  const host = new RawHost(chip, baud);
  host.signals(true, true);
  return { chip, host };
}

async function pulseEn(host: RawHost): Promise<void> {
  host.signals(false, true);
  await sleep(20);
  host.signals(false, false);
}

describe('auto-reset circuit', () => {
  it('enters download mode on the classic DTR/RTS sequence', async () => {
    const { chip, host } = board({ chip: 'esp32', wireTime: false });
    await sleep(20);
    host.clear();
    host.signals(false, true); // EN low
    await sleep(100);
    host.signals(true, false); // EN released while IO0 is held low
    await sleep(50);
    host.signals(false, false);
    await host.until(() => host.text().includes('waiting for download'));
    expect(host.text()).toContain('rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))');
    expect(chip.state).toBe('rom-loader');
  });

  it('still enters download mode when the lines change one call at a time (EN rises slowly)', async () => {
    const { chip, host } = board({ chip: 'esp32', wireTime: false });
    host.signals(false, false);
    host.signals(false, true);
    await sleep(100);
    host.signals(true, true); // passes through "both asserted": EN starts rising, IO0 not yet low
    host.signals(true, false);
    await sleep(50);
    host.signals(false, false);
    await host.until(() => host.text().includes('waiting for download'));
    expect(chip.state).toBe('rom-loader');
  });

  it('does not reset when a port opens or closes (both lines move together)', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false });
    await sleep(20);
    const resets = chip.stats.resets;
    const host = new RawHost(chip);
    host.signals(true, true);
    host.signals(false, false);
    await sleep(30);
    expect(chip.stats.resets).toBe(resets);
  });

  it('boots from flash on an RTS pulse with DTR released: empty flash loops on "invalid header"', async () => {
    const { chip, host } = board({ chip: 'esp32', wireTime: false });
    await pulseEn(host);
    await host.until(() => host.text().includes('rst:0x10 (RTCWDT_RTC_RESET)'), 3000);
    const text = host.text();
    expect(text).toContain('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\ninvalid header: 0xffffffff\r\n');
    expect(text.split('invalid header: 0xffffffff').length - 1).toBeGreaterThanOrEqual(16);
    await host.until(() => chip.state === 'halted', 4000);
    const size = host.bytes.length;
    await sleep(500);
    expect(host.bytes.length).toBe(size);
  });

  it('takes esptool usb_reset on the USB-Serial/JTAG peripheral into download mode, and not on a UART bridge', async () => {
    const usbReset = async (host: RawHost) => {
      const lines = { dtr: false, rts: false };
      const set = (dtr?: boolean, rts?: boolean) => {
        if (dtr !== undefined) lines.dtr = dtr;
        if (rts !== undefined) lines.rts = rts;
        host.signals(lines.dtr, lines.rts);
      };
      set(undefined, false); set(false);
      await sleep(100);
      set(true); set(undefined, false);
      await sleep(100);
      set(undefined, true); set(false); set(undefined, true);
      await sleep(100);
      set(undefined, false); set(false);
    };
    const jtag = board({ chip: 'esp32s3', wireTime: false, usb: 'usb-serial-jtag' });
    await usbReset(jtag.host);
    await jtag.host.until(() => jtag.host.text().includes('waiting for download'));
    expect(jtag.host.text()).toContain('rst:0x15 (USB_UART_CHIP_RESET),boot:0x0 (DOWNLOAD(USB/UART0))');
    expect(jtag.chip.state).toBe('rom-loader');

    const bridge = board({ chip: 'esp32s3', wireTime: false });
    await sleep(20);
    bridge.host.clear();
    await usbReset(bridge.host);
    await bridge.host.until(() => bridge.host.text().includes('invalid header'), 3000);
    expect(bridge.chip.state).not.toBe('rom-loader');
  });
});

describe('boot from flash', () => {
  function flashedFixture(flashSize: number): { chip: EspEmulator; host: RawHost } {
    const b = board({ chip: 'esp32', wireTime: false, flashSize });
    b.chip.loadFlash(0x1000, fixture('bootloader.bin'));
    b.chip.loadFlash(0x8000, fixture('partition-table.bin'));
    b.chip.loadFlash(0x10000, fixture('Application.bin'));
    return b;
  }

  it('prints ROM, 2nd-stage bootloader and app lines read from the flashed images', async () => {
    const { chip, host } = flashedFixture(16 * MB);
    await pulseEn(host);
    await host.until(() => host.text().includes('Calling app_main()'), 3000);
    const text = host.text();
    expect(text).toContain('ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n');
    expect(text).toContain('load:0x3fff0030,len:7588\r\n');
    expect(text).toMatch(/I \(\d+\) boot: ESP-IDF v5\.1-dirty 2nd stage bootloader/);
    expect(text).toMatch(/I \(\d+\) boot:  2 factory          factory app      00 00 00010000 00400000/);
    expect(text).toMatch(/I \(\d+\) boot: Loaded app from partition at offset 0x10000/);
    expect(text).toMatch(/I \(\d+\) cpu_start: Project name: {5}Application/);
    expect(text).toMatch(/I \(\d+\) cpu_start: App version: {6}v0\.8-7-g333c02c-dirty/);
    expect(chip.state).toBe('app');
  });

  it('prints the boot log at 115200 whatever the host listens at', async () => {
    const { host } = flashedFixture(16 * MB);
    host.baud = 921600;
    await pulseEn(host);
    await sleep(800);
    expect(host.bytes.length).toBeGreaterThan(0);
    expect(host.text()).not.toContain('rst:');
    expect(host.text()).not.toContain('Application');
  });

  it('lets the app abort when the image header promises more flash than is fitted', async () => {
    const { host } = flashedFixture(4 * MB);
    await pulseEn(host);
    await host.until(() => host.text().includes('rst:0xc (SW_CPU_RESET)'), 3000);
    expect(host.text()).toContain('Detected size(4096k) smaller than the size in the binary image header(16384k). Probe failed.');
    expect(host.text()).toContain('Rebooting...');
  });

  it('boots the OTA slot otadata selects, and falls back when that image is corrupt', async () => {
    const app = fixture('Application.bin');
    const { chip, host } = board({ chip: 'esp32', wireTime: false, flashSize: 16 * MB });
    chip.loadFlash(0x1000, fixture('bootloader.bin'));
    chip.loadFlash(
      0x8000,
      table(partition('nvs', 1, 2, 0x9000, 0x4000), partition('otadata', 1, 0, 0xd000, 0x2000), partition('ota_0', 0, 0x10, 0x10000, 0x300000), partition('ota_1', 0, 0x11, 0x310000, 0x300000)),
    );
    chip.loadFlash(0x10000, app);
    chip.loadFlash(0x310000, app);
    chip.loadFlash(0xd000, otaEntry(1));
    chip.loadFlash(0xe000, otaEntry(2));
    await pulseEn(host);
    await host.until(() => host.text().includes('Calling app_main()'), 3000);
    expect(host.text()).toContain('boot: Loaded app from partition at offset 0x310000');

    chip.loadFlash(0x410000, Uint8Array.of(chip.readFlash(0x410000, 1)[0]! ^ 0x01));
    host.clear();
    await pulseEn(host);
    await host.until(() => host.text().includes('Calling app_main()'), 3000);
    const text = host.text();
    expect(text).toMatch(/esp_image: (Checksum failed|Image hash failed)/);
    expect(text).toContain('OTA app partition slot 1 is not bootable');
    expect(text).toContain('boot: Loaded app from partition at offset 0x10000');
  });

  it('says there is nothing bootable when the app partition is empty', async () => {
    const { host, chip } = board({ chip: 'esp32', wireTime: false, flashSize: 16 * MB });
    chip.loadFlash(0x1000, fixture('bootloader.bin'));
    chip.loadFlash(0x8000, fixture('partition-table.bin'));
    await pulseEn(host);
    await host.until(() => host.text().includes('No bootable app partitions'), 3000);
    expect(host.text()).toContain('esp_image: image at 0x10000 has invalid magic byte (nothing flashed here?)');
    expect(host.text()).toContain('Factory app partition is not bootable');
  });
});
