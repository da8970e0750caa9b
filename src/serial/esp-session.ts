// A typed session with an ESP chip over one serial port: connect and identify, change baud, write parts, close.
// esptool-js does the protocol; this module decides what to write and turns failures into FlashProblems.
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { RegionWriteError, writeRegion } from './region-writer.ts';
import { flashSizeBytes, readChipIdentity, type DeviceIdentity } from './device-identity.ts';
import { explainSerialError, FlashProblem, hexOffset, type WritePosition } from './flash-problems.ts';
import { planPartWrite, wholePart, type PartRun, type PartWritePlan } from './fast-reflash.ts';
import { withFlashMode, type FlashModeChoice } from './flash-mode.ts';
import { md5Hex } from './md5.ts';
import { WriteProgressTracker, type WriteProgress } from './write-progress.ts';
import { checkPartsFit, checkPartsForChip } from './part-checks.ts';

/** The ROM loader always starts at this rate. */
export const ROM_BAUD = 115200;

export interface PartImage {
  /** The part's file name, as a technician reads it in the release ("Application.bin"). */
  name: string;
  offset: number;
  data: Uint8Array;
}

export interface WriteOptions {
  /** Erase the whole chip first (a first install): settings and data stored on the device are lost. */
  eraseAll: boolean;
  flashMode: FlashModeChoice;
  /** Compare the flash with each part first and write only the 4 KiB blocks that differ. */
  skipUnchanged: boolean;
}

export interface PartReport {
  name: string;
  offset: number;
  size: number;
  written: number;
  unchanged: number;
  /** Regions written, relative to the part. */
  runs: PartRun[];
  /** MD5 of the part as now on the flash (checked against the device). */
  md5: string;
}

export interface WriteReport {
  parts: PartReport[];
  baudRate: number;
  erasedAll: boolean;
  /** Deflated bytes of firmware sent to the board. */
  compressedBytes: number;
  md5Queries: number;
  seconds: number;
}

export interface SessionOptions {
  /** Lines for the flash log. */
  log: (line: string) => void;
}

function isEventTarget(port: SerialPort): port is SerialPort & EventTarget {
  return typeof (port as Partial<EventTarget>).addEventListener === 'function';
}

export class EspSession {
  private deviceLost = false;
  private position: WritePosition | undefined;
  private rejectLost!: (reason: unknown) => void;
  /** Rejects when the port goes away, so a write stops at once instead of retrying a dead link. */
  private readonly lostSignal = new Promise<never>((_, reject) => (this.rejectLost = reject));
  private readonly onDisconnect = () => {
    this.deviceLost = true;
    this.rejectLost(new DOMException('The device has been lost.', 'NetworkError'));
  };

  private constructor(
    readonly port: SerialPort,
    private loader: ESPLoader,
    readonly identity: DeviceIdentity,
    private readonly log: (line: string) => void,
  ) {
    this.lostSignal.catch(() => undefined);
    if (isEventTarget(port)) port.addEventListener('disconnect', this.onDisconnect);
    loader.transport.setDeviceLostCallback(this.onDisconnect);
  }

  /** Resets the board into its ROM loader, identifies it, starts the flasher stub and reads the flash size. */
  static async connect(port: SerialPort, options: SessionOptions): Promise<EspSession> {
    const terminal = loaderTerminal(options.log);
    const transport = new Transport(port, false);
    let lost = false;
    transport.setDeviceLostCallback(() => (lost = true));
    const loader = new ESPLoader({ transport, baudrate: ROM_BAUD, romBaudrate: ROM_BAUD, terminal });
    try {
      await loader.detectChip('default_reset');
      const chip = await readChipIdentity(loader);
      if (loader.chip.postConnect) await loader.chip.postConnect(loader);
      await loader.runStub();
      const flashSize = flashSizeBytes(await loader.detectFlashSize());
      return new EspSession(port, loader, { ...chip, flashSize }, options.log);
    } catch (error) {
      await transport.disconnect().catch(() => undefined);
      throw explainSerialError(error, { stage: 'connect', deviceLost: lost });
    }
  }

  get baudRate(): number {
    return this.loader.transport.baudrate;
  }

  /**
   * Switches the link to `baud`. When the board or the cable cannot keep up, esptool-js reconnects at 115200;
   * the log says so, and the rate in use is returned.
   */
  async setBaudRate(baud: number): Promise<number> {
    if (baud === this.baudRate) return baud;
    // esptool-js reads the target rate from the loader it was built with: a loader per rate, sharing the link.
    const next = new ESPLoader({ transport: this.loader.transport, baudrate: baud, romBaudrate: ROM_BAUD, terminal: loaderTerminal(this.log) });
    next.chip = this.loader.chip;
    next.IS_STUB = this.loader.IS_STUB;
    next.FLASH_WRITE_SIZE = this.loader.FLASH_WRITE_SIZE;
    try {
      await next.changeBaud();
    } catch (error) {
      throw explainSerialError(error, { stage: 'connect', deviceLost: this.deviceLost });
    }
    this.loader = next;
    const actual = this.baudRate;
    if (actual !== baud) this.log(`Could not keep the link at ${baud} baud: fell back to ${actual} baud.`);
    else this.log(`Link at ${actual} baud.`);
    return actual;
  }

  /** Writes the parts (compressed), skipping what the flash already holds when asked, and verifies every part by MD5. */
  async writeParts(parts: readonly PartImage[], options: WriteOptions, onProgress: (progress: WriteProgress) => void): Promise<WriteReport> {
    const started = performance.now();
    checkPartsForChip(parts, this.identity);
    checkPartsFit(parts, this.identity);
    const prepared = await Promise.all(
      parts.map(async (p) => (p.offset === this.identity.bootloaderOffset ? { ...p, data: await withFlashMode(p.data, options.flashMode) } : p)),
    );
    const tracker = new WriteProgressTracker(
      prepared.map((p) => ({ part: p.name, offset: p.offset, size: p.data.length })),
      onProgress,
    );
    let compressedBytes = 0;
    let md5Queries = 0;
    try {
      const plans: PartWritePlan[] = [];
      if (options.eraseAll) {
        tracker.setPhase('erasing');
        this.log('Erasing the whole flash…');
        await this.loader.eraseFlash();
        for (const p of prepared) plans.push(wholePart(p.data.length));
      } else if (options.skipUnchanged) {
        tracker.setPhase('comparing');
        for (const [i, p] of prepared.entries()) {
          tracker.setPartState(i, 'comparing');
          const plan = await planPartWrite(p.data, p.offset, (offset, length) => this.loader.flashMd5sum(offset, length));
          md5Queries += plan.md5Queries;
          tracker.setUnchanged(i, plan.unchangedBytes);
          if (plan.unchangedBytes > 0) this.log(describePlan(p, plan));
          plans.push(plan);
        }
      } else {
        for (const p of prepared) plans.push(wholePart(p.data.length));
      }

      tracker.setPhase('writing');
      for (const [i, p] of prepared.entries()) {
        const runs = plans[i]!.runs;
        let doneBefore = 0;
        for (const run of runs) {
          const address = p.offset + run.start;
          this.position = { part: p.name, offset: address };
          compressedBytes += await writeRegion(
            this.loader,
            p.data.subarray(run.start, run.start + run.length),
            address,
            ({ sent, total }) => tracker.setWritten(i, doneBefore + (total === 0 ? run.length : Math.floor((run.length * sent) / total))),
            this.lostSignal,
          );
          doneBefore += run.length;
          tracker.setWritten(i, doneBefore);
        }
        // One region covering the part was verified by writeRegion; a part written in pieces is checked whole.
        if (runs.length > 1 || (runs.length === 1 && runs[0]!.length !== p.data.length)) {
          tracker.setPartState(i, 'verifying');
          md5Queries++;
          const onFlash = await this.loader.flashMd5sum(p.offset, p.data.length);
          if (onFlash !== md5Hex(p.data)) throw new RegionWriteError(new Error('MD5 of file does not match data in flash!'), p.offset);
        }
        tracker.setPartState(i, 'done');
      }
      this.position = undefined;
      tracker.setPhase('verifying');
      const reports: PartReport[] = prepared.map((p, i) => {
        const plan = plans[i]!;
        const written = plan.runs.reduce((sum, r) => sum + r.length, 0);
        return { name: p.name, offset: p.offset, size: p.data.length, written, unchanged: plan.unchangedBytes, runs: plan.runs, md5: md5Hex(p.data) };
      });
      tracker.setPhase('done');
      this.log(`Verified ${reports.length} part${reports.length === 1 ? '' : 's'} by MD5.`);
      return { parts: reports, baudRate: this.baudRate, erasedAll: options.eraseAll, compressedBytes, md5Queries, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      const position = error instanceof RegionWriteError && this.position ? { part: this.position.part, offset: error.offset } : this.position;
      const cause = error instanceof RegionWriteError ? error.cause : error;
      throw explainSerialError(cause, { stage: 'write', deviceLost: this.deviceLost, position });
    } finally {
      this.position = undefined;
    }
  }

  /** Reads flash back through the stub (READ_FLASH): the board's partition table, its bootloader's header. */
  async readFlash(offset: number, length: number): Promise<Uint8Array> {
    try {
      return await Promise.race([this.loader.readFlash(offset, length), this.lostSignal]);
    } catch (error) {
      throw explainSerialError(error, { stage: 'read', deviceLost: this.deviceLost });
    }
  }

  /** True once the browser said the port went away. */
  get lost(): boolean {
    return this.deviceLost;
  }

  /** Closes the port; the board stays in the flasher stub until it is reset. */
  async close(): Promise<void> {
    if (isEventTarget(this.port)) this.port.removeEventListener('disconnect', this.onDisconnect);
    this.loader.transport.setDeviceLostCallback(null);
    await this.loader.transport.disconnect().catch(() => undefined);
  }

}

function describePlan(part: PartImage, plan: PartWritePlan): string {
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  if (plan.runs.length === 0) return `${part.name} at ${hexOffset(part.offset)} is already on the flash: skipped (${kib(part.data.length)}).`;
  return `${part.name} at ${hexOffset(part.offset)}: ${kib(plan.unchangedBytes)} unchanged and skipped, ${kib(part.data.length - plan.unchangedBytes)} to write in ${plan.runs.length} region${plan.runs.length === 1 ? '' : 's'}.`;
}

/** esptool-js's terminal, as flash-log lines. */
function loaderTerminal(log: (line: string) => void): IEspLoaderTerminal {
  let pending = '';
  return {
    clean() {},
    write(data: string) {
      pending += data;
    },
    writeLine(data: string) {
      for (const raw of (pending + data).split(/\r?\n|\r/)) {
        const line = raw.trim();
        if (line) log(line);
      }
      pending = '';
    },
  };
}

export { FlashProblem };
