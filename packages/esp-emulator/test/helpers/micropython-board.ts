// A simulated ESP32 flashed with an image whose app descriptor says "micropython", with MicroPython's partition
// layout, booted into its REPL with a raw host on the console.
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable } from '@fieldflash/bundle';
import { EspEmulator } from '../../src/index.ts';
import { RawHost } from './raw-host.ts';

export const VFS_OFFSET = 0x200000;

export async function micropythonFlash(vfsSize: number) {
  return {
    bootloader: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4, idfVersion: 'v5.4.2', dateTime: 'Dec 10 2025 12:00:00' }),
    table: writePartitionTable([
      { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
      { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
      { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x1f0000 },
      { label: 'vfs', type: 'data', subtype: 'fat', offset: VFS_OFFSET, size: vfsSize },
    ]),
    app: await writeAppImage({
      chipFamily: 'ESP32', projectName: 'micropython', version: 'v1.27.0', secureVersion: 0, flashSizeMiB: 4,
      payload: pseudoRandomBytes(8192, 0x127), date: 'Dec 10 2025', time: '12:00:00', idfVersion: 'v5.4.2',
    }),
  };
}

export async function flashedChip(options: { vfsSize?: number; flashImage?: Uint8Array } = {}): Promise<EspEmulator> {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: false });
  if (options.flashImage) {
    chip.loadFlash(0, options.flashImage);
    return chip;
  }
  const parts = await micropythonFlash(options.vfsSize ?? 0x200000);
  chip.loadFlash(0x1000, parts.bootloader);
  chip.loadFlash(0x8000, parts.table);
  chip.loadFlash(0x10000, parts.app);
  return chip;
}

/** Pulses EN with IO0 released and waits for the friendly REPL's first prompt. */
export async function bootToRepl(chip: EspEmulator, host: RawHost = new RawHost(chip)): Promise<RawHost> {
  const from = host.bytes.length;
  host.signals(false, true);
  await new Promise((r) => setTimeout(r, 20));
  host.signals(false, false);
  await host.until(() => host.text().slice(from).includes('>>> '), 10_000);
  return host;
}

/** Sends `input` and waits until the console shows `expected` after it; returns what came since. */
export async function exchange(host: RawHost, input: string, expected: string | RegExp, timeoutMs = 5000): Promise<string> {
  const from = host.bytes.length;
  await host.write(Uint8Array.from(input, (c) => c.charCodeAt(0)));
  const since = () => host.text().slice(from);
  await host.until(() => (typeof expected === 'string' ? since().includes(expected) : expected.test(since())), timeoutMs);
  return since();
}
