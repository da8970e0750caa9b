// FieldFlash's serial session re-flashing the real fixture app into the emulated ESP32 (esptool-js underneath, in
// Node): compared with what it last wrote, by asking the board, and written whole when the board holds something
// else than FieldFlash believes. The flash is checked byte for byte each time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '@fieldflash/esp-emulator';
import { EspSession, type PartImage } from '../../src/serial/esp-session.ts';
import { partContents } from '../../src/serial/fast-reflash.ts';

const FIXTURE = new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const APP = new Uint8Array(readFileSync(new URL('Application.bin', FIXTURE)));
const APP_OFFSET = 0x10000;
const MB = 1024 * 1024;
const CHANGES = [0x80, 0x31000, 0xd4321, 0x1a0000];

function changedApp(): Uint8Array {
  const out = APP.slice();
  for (const at of CHANGES) for (let i = 0; i < 64; i++) out[at + i] = out[at + i]! ^ 0x5a;
  return out;
}

/** A board holding `held` at the app's offset, and a session to it at 921600 baud. */
async function boardHolding(held: Uint8Array | undefined) {
  const chip = new EspEmulator({ chip: 'esp32', flashSize: 4 * MB, wireTime: false });
  if (held) chip.loadFlash(APP_OFFSET, held);
  const log: string[] = [];
  const session = await EspSession.connect(new EmulatedSerialPort(chip) as unknown as SerialPort, { log: (l) => log.push(l) });
  await session.setBaudRate(921600);
  return { chip, session, log };
}

/** Byte for byte, without the cost of a deep-equality diff over megabytes. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected))).toBe(0);
}

const options = { eraseAll: false, flashMode: 'keep' as const, skipUnchanged: true };
const app = (data: Uint8Array): PartImage[] => [{ name: 'Application.bin', offset: APP_OFFSET, data }];

describe('fast re-flash of the app changed in four places', () => {
  it('compared with what FieldFlash last wrote: the four sectors, one MD5 question', async () => {
    const { chip, session, log } = await boardHolding(APP);
    const next = changedApp();
    const report = await session.writeParts(app(next), { ...options, onBoard: [await partContents('Application.bin', APP_OFFSET, APP)] }, () => undefined);
    await session.close();
    const part = report.parts[0]!;
    expect(part).toMatchObject({ basis: 'known', written: 4 * 0x1000, unchanged: next.length - 4 * 0x1000, rewroteWhole: false });
    expect(part.runs.map((r) => r.start)).toEqual([0, 0x31000, 0xd4000, 0x1a0000]);
    expect(report.md5Queries).toBe(1);
    expect(log.join('\n')).toMatch(/compared with what FieldFlash last wrote to this board/);
    expectSameBytes(chip.readFlash(APP_OFFSET, next.length), next);
  });

  it('content unknown: the board narrows it down by MD5, far fewer questions than sectors', async () => {
    const { chip, session } = await boardHolding(APP);
    const next = changedApp();
    const report = await session.writeParts(app(next), options, () => undefined);
    await session.close();
    expect(report.parts[0]).toMatchObject({ basis: 'compared', written: 4 * 0x1000, rewroteWhole: false });
    expect(report.md5Queries).toBeLessThan(64);
    expectSameBytes(chip.readFlash(APP_OFFSET, next.length), next);
  });

  it('a board that does not hold what FieldFlash last wrote fails the MD5 after the partial write and is written whole', async () => {
    const { chip, session, log } = await boardHolding(undefined); // blank: another tool erased it since
    const next = changedApp();
    const report = await session.writeParts(app(next), { ...options, onBoard: [await partContents('Application.bin', APP_OFFSET, APP)] }, () => undefined);
    await session.close();
    expect(report.parts[0]).toMatchObject({ basis: 'known', written: next.length, unchanged: 0, rewroteWhole: true });
    expect(log.join('\n')).toMatch(/did not hold what FieldFlash last wrote to it\. Writing the part whole/);
    expectSameBytes(chip.readFlash(APP_OFFSET, next.length), next);
  });
});
