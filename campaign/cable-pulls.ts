// Campaign 3: the USB cable pulled out of the emulated ESP32 (packages/esp-emulator) at a random byte of the serial
// traffic while FieldFlash's own serial session (src/serial/esp-session.ts, esptool-js underneath) writes the real
// fixture release: bootloader, partition table and a 2 MiB app. Then the cable goes back in and the write is tried
// again as the app tries it (keeping data, the board's own MD5s deciding what to write, or erasing all); the
// emulated flash must then hold every part byte for byte.
import { readFileSync } from 'node:fs';
import { EmulatedSerialPort, EspEmulator, type Direction } from '@fieldflash/esp-emulator';
import { EspSession, type PartImage, type WriteOptions } from '../src/serial/esp-session.ts';
import { partContents } from '../src/serial/fast-reflash.ts';
import { type Campaign, check, type RunContext } from './lib/campaign.ts';

const FIXTURE = new URL('../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const MB = 1024 * 1024;
const BAUD = 921600;

function releaseParts(): PartImage[] {
  const part = (name: string, offset: number): PartImage => ({ name, offset, data: new Uint8Array(readFileSync(new URL(name, FIXTURE))) });
  return [part('bootloader.bin', 0x1000), part('partition-table.bin', 0x8000), part('Application.bin', 0x10000)];
}

/** The release before this one, as the board may hold it: the app changed in a few places, as a small fix leaves it. */
function olderRelease(parts: PartImage[]): PartImage[] {
  return parts.map((p) => {
    if (p.name !== 'Application.bin') return p;
    const data = p.data.slice();
    for (const at of [0x80, 0x31000, 0xd4321, 0x1a0000]) for (let i = 0; i < 64; i++) data[at + i] = data[at + i]! ^ 0x5a;
    return { ...p, data };
  });
}

/** What the board holds before the write, and how the technician asked for it (the Flash view's erase choice). */
type Start = 'blank, erase-all' | 'older release, erase-all' | 'older release, keep-data known' | 'older release, keep-data unknown';
const STARTS: readonly Start[] = ['blank, erase-all', 'older release, erase-all', 'older release, keep-data known', 'older release, keep-data unknown'];

async function connect(chip: EspEmulator): Promise<EspSession> {
  const session = await EspSession.connect(new EmulatedSerialPort(chip) as unknown as SerialPort, { log: () => undefined });
  await session.setBaudRate(BAUD);
  return session;
}

export const cablePulls: Campaign = {
  name: 'cable-pulls',
  what: 'the USB cable pulled at a random byte of a real release written by FieldFlash\'s serial session; re-plug, write again, compare the flash',
  fullRuns: 100,
  runTimeoutMs: 120_000,
  async prepare() {
    // esptool-js traces every lost port to console.log; a hundred pulls would bury the campaign's own lines.
    const consoleLog = console.log;
    console.log = (...args: unknown[]) => {
      if (!(typeof args[0] === 'string' && args[0].startsWith('TRACE '))) consoleLog(...args);
    };
    const parts = releaseParts();
    const older = olderRelease(parts);
    const known = await Promise.all(older.map((p) => partContents(p.name, p.offset, p.data)));
    const boardFor = (start: Start) => {
      const chip = new EspEmulator({ chip: 'esp32', flashSize: 4 * MB, wireTime: false });
      if (start.startsWith('older')) for (const p of older) chip.loadFlash(p.offset, p.data);
      return chip;
    };
    const optionsFor = (start: Start): WriteOptions =>
      start.endsWith('erase-all')
        ? { eraseAll: true, flashMode: 'keep', skipUnchanged: false }
        : { eraseAll: false, flashMode: 'keep', skipUnchanged: true, onBoard: start.endsWith('known') ? known : undefined };

    // The bytes each kind of write puts on the cable each way, measured on a clean write, so the pull lands inside it.
    const traffic = new Map<Start, Record<Direction, number>>();
    const trafficOf = async (start: Start) => {
      if (!traffic.has(start)) {
        const chip = boardFor(start);
        const session = await connect(chip);
        const before = { ...chip.stats };
        await session.writeParts(parts, optionsFor(start), () => undefined);
        traffic.set(start, { 'to-chip': chip.stats.bytesToChip - before.bytesToChip, 'from-chip': chip.stats.bytesFromChip - before.bytesFromChip });
        await session.close();
      }
      return traffic.get(start)!;
    };

    return {
      async run({ random, aim, missed }: RunContext) {
        const start = random.pick(STARTS);
        const direction: Direction = random.chance(0.2) ? 'from-chip' : 'to-chip';
        const afterBytes = random.int(0, (await trafficOf(start))[direction] - 1);
        // Tried again as the Flash view does after a pull: keep data (FieldFlash forgot what it wrote, so the board's
        // MD5s decide), or, when the technician chooses it, erase all.
        const retryEraseAll = random.chance(0.25);
        aim(`${start}, ${direction}`, `byte ${afterBytes}, retry ${retryEraseAll ? 'erase-all' : 'keep-data'}`);

        const chip = boardFor(start);
        const session = await connect(chip);
        chip.setFaults({ unplug: { afterBytes, direction } });
        const first = await session.writeParts(parts, optionsFor(start), () => undefined).then(
          () => 'finished',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        await session.close().catch(() => undefined);
        if (!chip.isUnplugged) {
          missed(`the write ${first === 'finished' ? 'finished' : `stopped first: ${first}`}`);
          chip.unplug();
        } else {
          check(first !== 'finished', 'the cable came out, yet the write reported success');
        }

        chip.setFaults({});
        chip.replug();
        const again = await connect(chip);
        try {
          const report = await again.writeParts(parts, { eraseAll: retryEraseAll, flashMode: 'keep', skipUnchanged: !retryEraseAll }, () => undefined);
          check(report.parts.length === parts.length, `the write tried again reported ${report.parts.length} parts, not ${parts.length}`);
        } finally {
          await again.close();
        }
        for (const p of parts) {
          const held = chip.readFlash(p.offset, p.data.length);
          const at = held.findIndex((b, i) => b !== p.data[i]);
          check(at < 0, `after the write tried again, ${p.name} differs from the release at 0x${(p.offset + at).toString(16)}`);
        }
      },
      async close() {
        console.log = consoleLog;
      },
    };
  },
};
