// The emulated chip: power, reset pins, UART, the ROM loader or the flasher stub, boot from flash.
// Shells (a Web Serial port in the page, a TCP server in Node) attach to it as the host end of the line.
// This class wires the parts: the board's settings, its flash, the serial line, the chip core and the flashed app.
import { FlashedApp } from './app/flashed-app.ts';
import type { SimulatedWifi } from './app/simulated-wifi.ts';
import type { BootFault } from './boot/boot-faults.ts';
import { ChipCore, type ChipState } from './chip-core.ts';
import { boardSettings, type EspEmulatorOptions, type UsbConnection } from './emulator-options.ts';
import { emulatorStats, type EmulatorStats } from './emulator-stats.ts';
import { FaultInjector, type FaultPlan } from './faults.ts';
import { NorFlash } from './flash.ts';
import type { ChipIdentity } from './registers/chips.ts';
import { SerialLine, type HostLink } from './serial-line.ts';

export type { ChipState } from './chip-core.ts';
export type { EspEmulatorOptions, UsbConnection } from './emulator-options.ts';
export type { EmulatorStats } from './emulator-stats.ts';
export type { HostLink } from './serial-line.ts';

export interface HostConnection {
  /** Resolves once the bytes have reached the chip (after wire time, when it is on). */
  write(bytes: Uint8Array): Promise<void>;
  /** Modem lines, true = asserted. */
  setSignals(dataTerminalReady: boolean, requestToSend: boolean): void;
  detach(): void;
}

export class EspEmulator extends EventTarget {
  readonly chip: ChipIdentity;
  readonly flashSize: number;
  readonly mac: string;
  readonly usb: UsbConnection;
  /** How the app fails after starting, from the next boot on; undefined: it runs. */
  bootFault: BootFault | undefined;
  wireTime: boolean;
  flashTime: boolean;

  private readonly flash: NorFlash;
  private readonly app: FlashedApp;
  private readonly faults: FaultInjector;
  private readonly line: SerialLine;
  private readonly core: ChipCore;

  constructor(options: EspEmulatorOptions) {
    super();
    const settings = boardSettings(options);
    ({ chip: this.chip, flashSize: this.flashSize, mac: this.mac, usb: this.usb } = settings);
    this.bootFault = settings.bootFault;
    this.wireTime = settings.wireTime;
    this.flashTime = settings.flashTime;
    this.flash = new NorFlash(this.flashSize, { timed: () => this.flashTime, now: () => this.core.now() });
    this.app = new FlashedApp(options.wifi ?? {}, {
      chipFamily: this.chip.family,
      chip: this.chip.name,
      mac: this.mac,
      flash: this.flash,
      micropythonWasmUrl: options.micropythonWasmUrl,
      transmit: (bytes) => this.line.transmit(bytes),
    });
    this.faults = new FaultInjector(options.faults);
    this.line = new SerialLine({
      wireTime: () => this.wireTime,
      faults: this.faults,
      chipBaud: () => this.core.lineBaud,
      noUart: this.usb === 'usb-serial-jtag',
      toChip: (bytes) => this.core.receive(bytes),
      unplug: () => this.unplug(),
    });
    this.core = new ChipCore({
      settings,
      flash: this.flash,
      faults: this.faults,
      line: this.line,
      app: this.app,
      bootFault: () => this.bootFault,
    });
    this.core.powerUp();
  }

  get state(): ChipState {
    return this.core.state;
  }

  /** The UART's current baud rate on the chip side. */
  get uartBaud(): number {
    return this.core.uartBaud;
  }

  get isUnplugged(): boolean {
    return this.core.isUnplugged;
  }

  get stats(): EmulatorStats {
    return emulatorStats(this.line, this.flash, this.core.resets);
  }

  readFlash(offset: number, length: number): Uint8Array {
    return this.flash.read(offset, length);
  }

  loadFlash(offset: number, bytes: Uint8Array): void {
    this.flash.load(offset, bytes);
  }

  /** The simulated Wi-Fi world; a change applies to the next join and scan. */
  get wifi(): Readonly<SimulatedWifi> {
    return this.app.wifi;
  }

  setWifi(change: Partial<SimulatedWifi>): void {
    this.app.setWifi(change);
  }

  /** Whether the running app answers Improv Serial (false while not running an app). */
  get speaksImprov(): boolean {
    return this.app.speaksImprov;
  }

  /** Whether the running app is MicroPython, with its REPL on the console (false while not running an app). */
  get runsMicroPython(): boolean {
    return this.app.runsMicroPython;
  }

  setFaults(plan: FaultPlan): void {
    this.faults.set(plan);
  }

  get faultPlan(): Readonly<FaultPlan> {
    return this.faults.current;
  }

  /** Pulls the USB cable: the host loses the port, the chip loses power, flash keeps what it has. */
  unplug(): void {
    if (!this.core.unplug()) return;
    this.line.dropHostOutput();
    const link = this.line.link;
    this.line.link = undefined;
    link?.lost();
    this.dispatchEvent(new Event('unplug'));
  }

  /** Plugs the cable back in: the chip powers up (and boots per its strapping), the port can be opened again. */
  replug(): void {
    if (!this.core.replug()) return;
    this.dispatchEvent(new Event('replug'));
  }

  /** Power off and on again (a board plugged into a powered hub; the TCP shell does this for its first client). */
  powerCycle(): void {
    this.core.powerCycle();
  }

  /** Connects a host. One at a time, as with a real serial port. */
  attach(link: HostLink): HostConnection {
    if (this.core.isUnplugged) throw new Error('the device is unplugged');
    if (this.line.link) throw new Error('another host holds the serial port');
    // Whatever the chip printed before the port was opened is gone: the OS flushes its buffers on open.
    this.line.dropChipOutput();
    this.line.link = link;
    return {
      write: (bytes) => this.line.hostSends(link, bytes),
      setSignals: (dtr, rts) => {
        if (this.line.link === link) this.core.applySignals(dtr, rts);
      },
      detach: () => {
        if (this.line.link === link) this.line.link = undefined;
      },
    };
  }

  /** Stops timers and output (tests, server shutdown). */
  dispose(): void {
    this.core.powerOff();
    this.line.dropHostOutput();
    this.line.link = undefined;
  }
}
