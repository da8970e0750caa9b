// Runs in Chromium: FieldFlash's serial session (esptool-js underneath) against the in-page emulator, wire time and
// flash time on.
// The runner (bench/flash.bench.ts) calls these through page.evaluate and prints the figures.
import { EmulatedSerialPort, EspEmulator, SECTOR_SIZE } from '@fieldflash/esp-emulator';
import { EspSession, type PartImage, type WriteOptions } from '../../src/serial/esp-session.ts';
import { partContents } from '../../src/serial/fast-reflash.ts';

const APP_OFFSET = 0x10000;
const FLASH_SIZE = 4 * 1024 * 1024;

export interface WriteFigures {
  baud: number;
  /** Baud actually used (differs when the link fell back). */
  linkBaud: number;
  connectSeconds: number;
  writeSeconds: number;
  imageBytes: number;
  compressedBytes: number;
  /** Everything the host put on the wire during the write (frames, escapes, headers, MD5 queries). */
  toChipBytes: number;
  fromChipBytes: number;
  writtenBytes: number;
  skippedBytes: number;
  md5Queries: number;
  /** What the flash chip did during the write: its busy time (erasing and programming), bytes erased and programmed. */
  flashBusySeconds: number;
  erasedBytes: number;
  programmedBytes: number;
  flashMatches: boolean;
}

async function appBytes(): Promise<Uint8Array> {
  const response = await fetch('./app.bin');
  return new Uint8Array(await response.arrayBuffer());
}

/** A copy of the app with a few small edits, as a one-line fix and a bumped build date would leave it. */
function changedApp(app: Uint8Array): Uint8Array {
  const out = app.slice();
  for (const at of [0x80, 0x31000, 0xd4321, 0x1a0000]) {
    for (let i = 0; i < 64 && at + i < out.length; i++) out[at + i] = out[at + i]! ^ 0x5a;
  }
  return out;
}

async function measure(baud: number, data: Uint8Array, options: WriteOptions, preload: Uint8Array | undefined): Promise<WriteFigures> {
  const chip = new EspEmulator({ chip: 'esp32', flashSize: FLASH_SIZE, wireTime: true, flashTime: true });
  if (preload) chip.loadFlash(APP_OFFSET, preload);
  const port = new EmulatedSerialPort(chip) as unknown as SerialPort;
  const t0 = performance.now();
  const session = await EspSession.connect(port, { log: () => undefined });
  const linkBaud = await session.setBaudRate(baud);
  const connectSeconds = (performance.now() - t0) / 1000;
  const before = { ...chip.stats };
  const parts: PartImage[] = [{ name: 'app.bin', offset: APP_OFFSET, data }];
  const t1 = performance.now();
  const report = await session.writeParts(parts, options, () => undefined);
  const writeSeconds = (performance.now() - t1) / 1000;
  const after = { ...chip.stats };
  await session.close();
  const onFlash = chip.readFlash(APP_OFFSET, data.length);
  const part = report.parts[0]!;
  return {
    baud,
    linkBaud,
    connectSeconds,
    writeSeconds,
    imageBytes: data.length,
    compressedBytes: report.compressedBytes,
    toChipBytes: after.bytesToChip - before.bytesToChip,
    fromChipBytes: after.bytesFromChip - before.bytesFromChip,
    writtenBytes: part.written,
    skippedBytes: part.unchanged,
    md5Queries: report.md5Queries,
    flashBusySeconds: (after.flashBusyMs - before.flashBusyMs) / 1000,
    erasedBytes: (after.flashSectorsErased - before.flashSectorsErased) * SECTOR_SIZE,
    programmedBytes: after.flashBytesProgrammed - before.flashBytesProgrammed,
    flashMatches: onFlash.every((b, i) => b === data[i]),
  };
}

const api = {
  /** A full write of the app (no comparison), as on a blank board. */
  async fullWrite(baud: number): Promise<WriteFigures> {
    return measure(baud, await appBytes(), { eraseAll: false, flashMode: 'keep', skipUnchanged: false }, undefined);
  },
  /**
   * The changed app over the old one: written whole; with fast re-flash when FieldFlash knows the board holds the old
   * app (compared locally, one MD5 after writing); and when it does not (the board's MD5s decide).
   */
  async reflash(baud: number): Promise<{ full: WriteFigures; known: WriteFigures; unknown: WriteFigures }> {
    const app = await appBytes();
    const changed = changedApp(app);
    const options: WriteOptions = { eraseAll: false, flashMode: 'keep', skipUnchanged: true };
    const full = await measure(baud, changed, { ...options, skipUnchanged: false }, app);
    const known = await measure(baud, changed, { ...options, onBoard: [await partContents('app.bin', APP_OFFSET, app)] }, app);
    const unknown = await measure(baud, changed, options, app);
    return { full, known, unknown };
  },
};

declare global {
  interface Window {
    flashBench: typeof api;
  }
}
window.flashBench = api;
document.title = 'flash bench ready';
