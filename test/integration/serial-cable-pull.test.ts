// The USB cable pulled while FieldFlash's serial session writes the fixture app into the emulated ESP32, in Node: the
// write stops with the plain "connection was lost" problem and nothing else (a pull while the next block is being
// deflated once left a rejection no one handled, which ends a Node process); after re-plugging, writing again
// leaves the app on the flash byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '@fieldflash/esp-emulator';
import { EspSession } from '../../src/serial/esp-session.ts';
import { FlashProblem } from '../../src/serial/flash-problems.ts';

const APP = new Uint8Array(readFileSync(new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/Application.bin', import.meta.url)));
const parts = [{ name: 'Application.bin', offset: 0x10000, data: APP }];
const options = { eraseAll: false, flashMode: 'keep' as const, skipUnchanged: false };

async function session(chip: EspEmulator): Promise<EspSession> {
  const connected = await EspSession.connect(new EmulatedSerialPort(chip) as unknown as SerialPort, { log: () => undefined });
  await connected.setBaudRate(921600);
  return connected;
}

describe('a cable pulled mid-write, in Node', () => {
  it('stops the write with the lost-connection problem at every pull, and a write after re-plugging completes', async () => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const chip = new EspEmulator({ chip: 'esp32', flashSize: 4 * 1024 * 1024, wireTime: false });
      // Pulls spread over the write: inside the first block, between blocks, near the end.
      for (const afterBytes of [200, 5_000, 40_000, 300_000, 900_000]) {
        const first = await session(chip);
        chip.setFaults({ unplug: { afterBytes } });
        const error: unknown = await first.writeParts(parts, options, () => undefined).catch((e: unknown) => e);
        await first.close().catch(() => undefined);
        expect(error, `pulled after ${afterBytes} bytes`).toBeInstanceOf(FlashProblem);
        expect((error as Error).message).toMatch(/The USB connection was lost while writing Application\.bin at offset 0x/);
        chip.setFaults({});
        chip.replug();
      }
      const last = await session(chip);
      await last.writeParts(parts, { ...options, skipUnchanged: true }, () => undefined);
      await last.close();
      expect(Buffer.compare(Buffer.from(chip.readFlash(0x10000, APP.length)), Buffer.from(APP))).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
    }
  }, 60_000);
});
