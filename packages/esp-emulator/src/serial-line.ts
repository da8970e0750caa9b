// The serial line between the host and the chip's UART: wire time in each direction, what a receiver at
// another baud rate makes of the bits, the fault plan's cable pulls, corrupted bytes and stalls.
import { resampleUart } from './baud-mismatch.ts';
import type { FaultInjector } from './faults.ts';
import { PacedLine } from './wire.ts';

/** The host end of the line, as a shell sees it. */
export interface HostLink {
  /** The host UART's baud rate; undefined for links without one (raw TCP): nothing on them is ever resampled. */
  baud(): number | undefined;
  receive(bytes: Uint8Array): void;
  /** The cable came out. */
  lost(): void;
}

export interface SerialLineOptions {
  wireTime: () => boolean;
  faults: FaultInjector;
  /** The chip end's rate: its UART baud, or the USB rate when there is no UART in between. */
  chipBaud: () => number;
  /** True over USB-Serial/JTAG: no UART, so no baud rate to disagree on. */
  noUart: boolean;
  /** Bytes that reached the chip's UART (held back while it is stalled). */
  toChip: (bytes: Uint8Array) => void;
  unplug: () => void;
}

export class SerialLine {
  link: HostLink | undefined;
  readonly counters = { bytesToChip: 0, bytesFromChip: 0 };
  private readonly fromChipLine: PacedLine;
  private readonly toChipLine: PacedLine;
  private stalled = false;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private held: Uint8Array[] = [];

  constructor(private readonly options: SerialLineOptions) {
    this.fromChipLine = new PacedLine((bytes, baud) => this.deliverToHost(bytes, baud), options.wireTime);
    this.toChipLine = new PacedLine((bytes, baud) => this.deliverToChip(bytes, baud), options.wireTime);
  }

  /** The chip transmits. */
  transmit(bytes: Uint8Array): void {
    void this.fromChipLine.send(bytes, this.options.chipBaud());
  }

  /** The host transmits; resolves once the bytes have reached the chip. */
  hostSends(link: HostLink, bytes: Uint8Array): Promise<void> {
    return this.link === link ? this.toChipLine.send(bytes.slice(), this.hostBaud()) : Promise.resolve();
  }

  /** Drops what the chip has queued but not yet sent (reset, power loss, a port being opened). */
  dropChipOutput(): void {
    this.fromChipLine.clear();
  }

  /** Drops what the host has queued but not yet sent (cable pulled). */
  dropHostOutput(): void {
    this.toChipLine.clear();
  }

  /** A reset or power loss ends a stall; what the chip had not read yet is lost. */
  endStall(resume: boolean): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (!this.stalled) return;
    this.stalled = false;
    const held = this.held;
    this.held = [];
    this.fromChipLine.resume();
    if (resume) for (const bytes of held) this.arrive(bytes);
  }

  /**
   * The host's UART rate, or undefined where the host end has none: USB-Serial/JTAG, and raw TCP, where the
   * bytes travel as bytes. Such a link cannot disagree with the chip about the rate, so it never resamples.
   * It must not "follow" the chip's rate at delivery time either: CHANGE_BAUDRATE's answer leaves the UART at
   * the old rate just before the chip switches, and a link that took on the new rate first would resample that
   * answer into garbage (what esptool.py over socket:// saw as `00 80`).
   */
  private hostUartBaud(): number | undefined {
    if (this.options.noUart) return undefined;
    return this.link?.baud();
  }

  /** The rate the host's bytes go out at; a link without a UART paces them at the chip's current rate. */
  private hostBaud(): number {
    return this.hostUartBaud() ?? this.options.chipBaud();
  }

  private deliverToChip(bytes: Uint8Array, txBaud: number): void {
    const chipBaud = this.options.chipBaud();
    let arriving = this.options.faults.garbleAboveLimit(txBaud, bytes);
    if (this.hostUartBaud() !== undefined && txBaud !== chipBaud) arriving = resampleUart(arriving, txBaud, chipBaud);
    const outcome = this.options.faults.pass('to-chip', arriving);
    this.counters.bytesToChip += outcome.bytes.length;
    if (outcome.stall) {
      this.arrive(outcome.bytes.subarray(0, outcome.stall.at));
      this.startStall(outcome.stall.ms);
      this.arrive(outcome.bytes.subarray(outcome.stall.at));
    } else {
      this.arrive(outcome.bytes);
    }
    if (outcome.unplug) this.options.unplug();
  }

  private arrive(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.stalled) this.held.push(bytes.slice());
    else this.options.toChip(bytes);
  }

  private deliverToHost(bytes: Uint8Array, txBaud: number): void {
    let arriving = this.options.faults.garbleAboveLimit(txBaud, bytes);
    const hostBaud = this.hostUartBaud();
    if (hostBaud !== undefined && hostBaud !== txBaud) arriving = resampleUart(arriving, txBaud, hostBaud);
    const outcome = this.options.faults.pass('from-chip', arriving);
    this.counters.bytesFromChip += outcome.bytes.length;
    if (outcome.bytes.length > 0) this.link?.receive(outcome.bytes.slice());
    if (outcome.stall) this.startStall(outcome.stall.ms);
    if (outcome.unplug) this.options.unplug();
  }

  private startStall(ms: number): void {
    this.stalled = true;
    this.fromChipLine.pause();
    if (Number.isFinite(ms)) this.stallTimer = setTimeout(() => this.endStall(true), ms);
  }
}
