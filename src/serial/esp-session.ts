// A typed session with an ESP chip over one serial port: connect and identify, change baud, write parts, close.
// esptool-js does the protocol; this module decides what to write and turns failures into FlashProblems.
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { LoaderExchange } from './loader-exchange.ts';
import { describePlan, planPart, RegionWriteError, writePart, type PartWriterHooks } from './part-writer.ts';
import { flashSizeBytes, readChipIdentity, type DeviceIdentity } from './device-identity.ts';
import { explainSerialError, FlashProblem, type WritePosition } from './flash-problems.ts';
import { wholePart, type PartContents, type PartRun, type PartWritePlan, type PlanBasis } from './fast-reflash.ts';
import { withFlashMode, type FlashModeChoice } from './flash-mode.ts';
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
  /** Write only the 4 KiB sectors of each part that the flash does not hold yet. */
  skipUnchanged: boolean;
  /** What FieldFlash last wrote to this board, when it knows: parts at the same offset are compared without asking the board. */
  onBoard?: readonly PartContents[];
}

export interface PartReport {
  name: string;
  offset: number;
  size: number;
  written: number;
  unchanged: number;
  /** Regions written, relative to the part. */
  runs: PartRun[];
  /** MD5 of the part as now on the flash, confirmed by the board (a part written whole: padded to whole words with 0xFF). */
  md5: string;
  /** How the sectors to write were found. */
  basis: PlanBasis;
  /** A partial write did not check out, so the part was written whole. */
  rewroteWhole: boolean;
  /** The bytes written (the bootloader with its flash mode set), for remembering what the board holds. */
  data: Uint8Array;
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

  /**
   * Writes the parts (compressed) and proves every part by MD5. With `skipUnchanged`, only the sectors the board
   * lacks are written: found by comparing with `onBoard` (what FieldFlash last wrote to this board) where it covers
   * a part, else by asking the board for MD5s.
   */
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
    const exchange = new LoaderExchange(this.loader);
    const hooksFor = (i: number, p: PartImage): PartWriterHooks => ({
      exchange,
      lost: this.lostSignal,
      log: this.log,
      onWritten: (written, toWrite) => {
        if (toWrite > tracker.snapshot().parts[i]!.toWrite) tracker.setUnchanged(i, p.data.length - toWrite);
        tracker.setWritten(i, written);
      },
      onPosition: (offset) => (this.position = { part: p.name, offset }),
    });
    let compressedBytes = 0;
    let md5Queries = 0;
    try {
      const plans: PartWritePlan[] = [];
      if (options.eraseAll) {
        tracker.setPhase('erasing');
        this.log('Erasing the whole flash…');
        await this.loader.eraseFlash();
        for (const p of prepared) plans.push(wholePart(p.data.length));
      } else {
        tracker.setPhase(options.skipUnchanged ? 'comparing' : 'writing');
        for (const [i, p] of prepared.entries()) {
          if (options.skipUnchanged) tracker.setPartState(i, 'comparing');
          const known = options.onBoard?.find((c) => c.offset === p.offset);
          const plan = await planPart(p, options.skipUnchanged ? 'skip-unchanged' : 'whole', known, hooksFor(i, p));
          md5Queries += plan.md5Queries;
          tracker.setUnchanged(i, plan.unchangedBytes);
          if (plan.basis !== 'whole') this.log(describePlan(p, plan));
          plans.push(plan);
        }
      }

      tracker.setPhase('writing');
      const reports: PartReport[] = [];
      for (const [i, p] of prepared.entries()) {
        this.position = { part: p.name, offset: p.offset };
        const outcome = await writePart(p, plans[i]!, hooksFor(i, p));
        compressedBytes += outcome.compressedBytes;
        md5Queries += outcome.md5Queries - plans[i]!.md5Queries;
        tracker.setPartState(i, 'done');
        reports.push({
          name: p.name,
          offset: p.offset,
          size: p.data.length,
          written: outcome.written,
          unchanged: outcome.unchanged,
          runs: outcome.runs,
          md5: outcome.md5,
          basis: plans[i]!.basis,
          rewroteWhole: outcome.rewroteWhole,
          data: p.data,
        });
      }
      this.position = undefined;
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
