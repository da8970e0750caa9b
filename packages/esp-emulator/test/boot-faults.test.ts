// Boot faults on demand: an app that panics, aborts, browns out or is reset by a watchdog, as real boards print it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EspEmulator, type BootFault } from '../src/index.ts';
import { RawHost } from './helpers/raw-host.ts';

const FIXTURE = new URL('../../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURE)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The real release on a 16 MB ESP32, its port open, and an EN pulse that boots it. */
async function boot(bootFault?: BootFault): Promise<{ chip: EspEmulator; host: RawHost }> {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: false, flashSize: 16 * 1024 * 1024, ...(bootFault ? { bootFault } : {}) });
  chip.loadFlash(0x1000, fixture('bootloader.bin'));
  chip.loadFlash(0x8000, fixture('partition-table.bin'));
  chip.loadFlash(0x10000, fixture('Application.bin'));
  const host = new RawHost(chip, 115200);
  host.signals(true, true);
  await sleep(10);
  host.clear();
  host.signals(false, true);
  await sleep(20);
  host.signals(false, false);
  return { chip, host };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('boot faults', () => {
  it('panic: the app starts, then a Guru Meditation Error and a reboot, until the chip gives up', async () => {
    const { chip, host } = await boot('panic');
    await host.until(() => chip.state === 'halted', 5000);
    const text = host.text();
    expect(text).toMatch(/cpu_start: Project name: {5}Application/);
    expect(text).toContain("Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.");
    expect(text).toContain('ELF file SHA256: b771621bd2ffce8b\r\n\r\nRebooting...\r\n');
    expect(count(text, 'rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)')).toBe(3);
  });

  it('abort: abort() with the PC and core', async () => {
    const { host } = await boot('abort');
    await host.until(() => host.text().includes('rst:0xc (SW_CPU_RESET)'), 3000);
    expect(host.text()).toContain('abort() was called at PC 0x400d2a3b on core 0');
  });

  it('brownout: the detector fires once the app runs, and the chip resets with the brownout cause', async () => {
    const { host } = await boot('brownout');
    await host.until(() => host.text().includes('rst:0xf (BROWNOUT_RST)'), 3000);
    expect(host.text()).toMatch(/Calling app_main\(\)[^]*Brownout detector was triggered/);
  });

  it('boot loop: a silent watchdog reset after every start', async () => {
    const { chip, host } = await boot('boot-loop');
    await host.until(() => chip.state === 'halted', 5000);
    const text = host.text();
    expect(count(text, 'rst:0x7 (TG0WDT_SYS_RESET)')).toBe(3);
    expect(count(text, 'Project name:')).toBe(4);
    expect(text).not.toMatch(/Guru Meditation|abort\(\)|Brownout/);
  });

  it('silent: the app starts and runs, and not one byte comes out, ROM banner included', async () => {
    const { chip, host } = await boot('silent');
    await host.until(() => chip.state === 'app', 3000);
    await sleep(200);
    expect(chip.state).toBe('app');
    expect(host.text()).toBe('');
    expect(chip.stats.bytesFromChip).toBe(0);
  });

  it('takes effect from the next boot, and clearing it lets the app run', async () => {
    const { chip, host } = await boot();
    await host.until(() => chip.state === 'app', 3000);
    chip.bootFault = 'panic';
    host.clear();
    host.signals(false, true);
    await sleep(20);
    host.signals(false, false);
    await host.until(() => host.text().includes('Guru Meditation Error'), 3000);
    chip.bootFault = undefined;
    host.clear();
    host.signals(false, true);
    await sleep(20);
    host.signals(false, false);
    await host.until(() => chip.state === 'app', 3000);
    expect(host.text()).not.toContain('Guru Meditation Error');
  });
});
