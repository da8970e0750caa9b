// A typed session with an ESP chip over one serial port: connect and identify, change baud, write parts, close.
// esptool-js does the protocol; this module decides what to write and turns failures into FlashProblems.
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
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
  /** Maps esptool-js's "Writing at 0x…" to the part being written. */
  private writingPart: { name: string } | undefined;
  private readonly onDisconnect = () => {
    this.deviceLost = true;
  };

  private constructor(
    readonly port: SerialPort,
    private loader: ESPLoader,
    readonly identity: DeviceIdentity,
    private readonly log: (line: string) => void,
  ) {
    if (isEventTarget(port)) port.addEventListener('disconnect', this.onDisconnect);
    loader.transport.setDeviceLostCallback(this.onDisconnect);
  }

  /** Resets the board into its ROM loader, identifies it, starts the flasher stub and reads the flash size. */
  static async connect(port: SerialPort, options: SessionOptions): Promise<EspSession> {
    let session: EspSession | undefined;
    const terminal = loaderTerminal(options.log, (offset) => session?.noteOffset(offset));
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
      session = new EspSession(port, loader, { ...chip, flashSize }, options.log);
      return session;
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
    const next = new ESPLoader({ transport: this.loader.transport, baudrate: baud, romBaudrate: ROM_BAUD, terminal: loaderTerminal(this.log, (o) => this.noteOffset(o)) });
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

      const files = prepared.flatMap((p, partIndex) => (plans[partIndex]?.runs ?? []).map((run) => ({ partIndex, run })));
      tracker.setPhase('writing');
      if (files.length > 0) {
        const fileTotals = new Map<number, number>();
        await this.loader.writeFlash({
          fileArray: files.map(({ partIndex, run }) => {
            const p = prepared[partIndex]!;
            return { data: p.data.subarray(run.start, run.start + run.length), address: p.offset + run.start };
          }),
          flashMode: 'keep',
          flashFreq: 'keep',
          flashSize: 'keep',
          eraseAll: false,
          compress: true,
          calculateMD5Hash: md5Hex,
          reportProgress: (fileIndex, written, total) => {
            const file = files[fileIndex];
            if (!file) return;
            const p = prepared[file.partIndex]!;
            fileTotals.set(fileIndex, total);
            if (written === 0 || this.writingPart?.name !== p.name) {
              // A new region starts here; esptool-js's "Writing at 0x…" lines refine the offset as blocks go out.
              this.writingPart = { name: p.name };
              this.position = { part: p.name, offset: p.offset + file.run.start };
            }
            const done = total === 0 ? file.run.length : Math.floor((file.run.length * written) / total);
            // Earlier regions of the same part are complete.
            const before = files.slice(0, fileIndex).filter((f) => f.partIndex === file.partIndex).reduce((s, f) => s + f.run.length, 0);
            tracker.setWritten(file.partIndex, before + done);
          },
        });
        compressedBytes = [...fileTotals.values()].reduce((s, n) => s + n, 0);
      }

      tracker.setPhase('verifying');
      const reports: PartReport[] = [];
      for (const [i, p] of prepared.entries()) {
        const plan = plans[i]!;
        const md5 = md5Hex(p.data);
        const writtenWhole = plan.runs.length === 1 && plan.runs[0]!.length === p.data.length;
        // A part written whole was verified by esptool-js; one written in pieces is checked whole here.
        if (!writtenWhole && plan.runs.length > 0) {
          tracker.setPartState(i, 'verifying');
          md5Queries++;
          const onFlash = await this.loader.flashMd5sum(p.offset, p.data.length);
          if (onFlash !== md5) throw new Error('MD5 of file does not match data in flash!');
        }
        tracker.setPartState(i, 'done');
        const written = plan.runs.reduce((s, r) => s + r.length, 0);
        reports.push({ name: p.name, offset: p.offset, size: p.data.length, written, unchanged: plan.unchangedBytes, runs: plan.runs, md5 });
      }
      tracker.setPhase('done');
      this.log(`Verified ${reports.length} part${reports.length === 1 ? '' : 's'} by MD5.`);
      return { parts: reports, baudRate: this.baudRate, erasedAll: options.eraseAll, compressedBytes, md5Queries, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      throw explainSerialError(error, { stage: 'write', deviceLost: this.deviceLost, position: this.position });
    } finally {
      this.position = undefined;
      this.writingPart = undefined;
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

  private noteOffset(offset: number): void {
    if (this.writingPart) this.position = { part: this.writingPart.name, offset };
  }
}

function describePlan(part: PartImage, plan: PartWritePlan): string {
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  if (plan.runs.length === 0) return `${part.name} at ${hexOffset(part.offset)} is already on the flash: skipped (${kib(part.data.length)}).`;
  return `${part.name} at ${hexOffset(part.offset)}: ${kib(plan.unchangedBytes)} unchanged and skipped, ${kib(part.data.length - plan.unchangedBytes)} to write in ${plan.runs.length} region${plan.runs.length === 1 ? '' : 's'}.`;
}

/** esptool-js's terminal, as flash-log lines; its "Writing at 0x…" lines become the write position instead. */
function loaderTerminal(log: (line: string) => void, onOffset: (offset: number) => void): IEspLoaderTerminal {
  let pending = '';
  const emit = (text: string) => {
    for (const raw of text.split(/\r?\n|\r/)) {
      const line = raw.trim();
      if (!line) continue;
      const writing = /^Writing at 0x([0-9a-f]+)/i.exec(line);
      if (writing) onOffset(parseInt(writing[1]!, 16));
      else log(line);
    }
  };
  return {
    clean() {},
    write(data: string) {
      pending += data;
    },
    writeLine(data: string) {
      emit(pending + data);
      pending = '';
    },
  };
}

export { FlashProblem };
