// The chip behind its EN and IO0 pins: power, resets, and what its CPU runs in between (the ROM loader, the
// flasher stub, the boot from flash, then the app). A reset or power loss ends whatever ran.
import type { FlashedApp } from './app/flashed-app.ts';
import { planFlashBoot } from './boot/boot-log.ts';
import type { BootFault } from './boot/boot-faults.ts';
import { BootRunner } from './boot/boot-runner.ts';
import { downloadBanner, type ResetCause } from './boot/rom-banner.ts';
import type { BoardSettings } from './emulator-options.ts';
import type { FaultInjector } from './faults.ts';
import type { NorFlash } from './flash.ts';
import type { LoaderContext } from './loader-context.ts';
import { LoaderCpu } from './loader-cpu.ts';
import { parseMac } from './registers/chips.ts';
import { RegisterFile } from './registers/register-file.ts';
import { ResetPins, TwoTransistorCircuit, UsbSerialJtagReset, type ResetCircuit } from './reset-circuit.ts';
import { RomLoader } from './rom-loader.ts';
import type { SerialLine } from './serial-line.ts';
import { SlipDecoder, slipEncode } from './slip.ts';
import { FlasherStub } from './stub.ts';

export type ChipState = 'off' | 'in-reset' | 'rom-loader' | 'stub' | 'booting' | 'app' | 'halted';

const ROM_BAUD = 115_200;
/** USB full speed carries CDC data at roughly this many "baud" (10 bits a byte); no UART in the way. */
const USB_LINE_BAUD = 12_000_000;
/** A chip that keeps failing to boot stops printing after this many self-resets (real ones loop forever). */
const MAX_SELF_RESETS = 3;

export interface ChipCoreParts {
  settings: BoardSettings;
  flash: NorFlash;
  faults: FaultInjector;
  line: SerialLine;
  app: FlashedApp;
  /** How the app fails after starting, read at every boot; undefined: it runs. */
  bootFault(): BootFault | undefined;
}

export class ChipCore {
  private readonly settings: BoardSettings;
  private readonly flash: NorFlash;
  private readonly faults: FaultInjector;
  private readonly line: SerialLine;
  private readonly app: FlashedApp;
  private readonly cpu: LoaderCpu;
  private readonly registers: RegisterFile;
  private readonly circuit: ResetCircuit;
  private readonly pins: ResetPins;
  private readonly rx: SlipDecoder;
  private readonly boot = new BootRunner();
  private resetCount = 0;

  private currentState: ChipState = 'off';
  private loader: RomLoader | FlasherStub | undefined;
  private baud = ROM_BAUD;
  private unplugged = false;
  private selfResets = 0;

  constructor(private readonly parts: ChipCoreParts) {
    this.settings = parts.settings;
    this.flash = parts.flash;
    this.faults = parts.faults;
    this.line = parts.line;
    this.app = parts.app;
    const { chip, mac, flashSize, usb } = this.settings;
    this.cpu = new LoaderCpu({
      handle: (frame) => this.loader?.handleFrame(frame),
      idle: (from, until) => this.loader?.idle?.(from, until),
    });
    this.registers = new RegisterFile({
      chip,
      mac: parseMac(mac),
      flashSize,
      baud: () => this.baud,
      usbSerialJtag: usb === 'usb-serial-jtag',
    });
    this.pins = new ResetPins({
      hold: () => {
        this.haltEverything(true);
        this.currentState = 'in-reset';
      },
      release: (io0Low) => this.reset('power-on', io0Low || this.settings.bootButtonHeld),
      resetFromUsb: (download) => this.reset('usb-uart', download),
    });
    this.circuit = usb === 'usb-serial-jtag' ? new UsbSerialJtagReset(this.pins) : new TwoTransistorCircuit(this.pins);
    this.rx = new SlipDecoder((frame, damaged) => {
      if (!damaged) this.cpu.receive(frame);
    });
  }

  get state(): ChipState {
    return this.currentState;
  }

  /** The UART's current baud rate on the chip side. */
  get uartBaud(): number {
    return this.baud;
  }

  /** The chip end's rate on the line: its UART baud, or the USB rate over USB-Serial/JTAG. */
  get lineBaud(): number {
    return this.settings.usb === 'usb-serial-jtag' ? USB_LINE_BAUD : this.baud;
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  get resets(): number {
    return this.resetCount;
  }

  /** The CPU's clock, which the flash keeps its busy times on. */
  now(): number {
    return this.cpu.now();
  }

  /** Bytes that reached the chip's UART: a command for the loader, or input for the running app. */
  receive(bytes: Uint8Array): void {
    if (this.loader) this.rx.push(bytes);
    else this.app.receive(bytes);
  }

  /** The host changed its modem lines (true = asserted); they reach the pins through the board's circuit. */
  applySignals(dataTerminalReady: boolean, requestToSend: boolean): void {
    if (!this.unplugged) this.circuit.apply(dataTerminalReady, requestToSend);
  }

  /** Power arrives with no host holding the lines: the chip boots as its strapping says. */
  powerUp(): void {
    this.reset('power-on', this.settings.bootButtonHeld);
  }

  /** The cable came out: the chip loses power. False when it already was out. */
  unplug(): boolean {
    if (this.unplugged) return false;
    this.unplugged = true;
    this.powerOff();
    return true;
  }

  /** The cable went back in: the chip powers up. False when it was not out. */
  replug(): boolean {
    if (!this.unplugged) return false;
    this.unplugged = false;
    this.pins.release();
    this.powerUp();
    return true;
  }

  /** Power off and on again while the host still drives the lines. */
  powerCycle(): void {
    if (this.unplugged) return;
    // The host still drives the lines through the bridge, so IO0 keeps whatever level they give it.
    this.pins.cancel();
    this.reset('power-on', this.pins.io0 === 'low' || this.settings.bootButtonHeld);
  }

  powerOff(): void {
    this.haltEverything(true);
    this.flash.busy.powerLoss();
    this.pins.release();
    this.currentState = 'off';
  }

  /** `external`: EN, USB or power; a reset the chip does itself lets its last answer leave the FIFO first. */
  private reset(cause: ResetCause, download: boolean, external = true): void {
    if (this.unplugged) return;
    this.haltEverything(external);
    this.registers.reset();
    this.baud = ROM_BAUD;
    this.resetCount++;
    if (external) this.selfResets = 0;
    if (download) {
      this.currentState = 'rom-loader';
      this.loader = new RomLoader(this.context());
      this.print(downloadBanner(this.settings.chip.name, cause));
      return;
    }
    this.bootFromFlash(cause);
  }

  private bootFromFlash(cause: ResetCause | undefined): void {
    this.currentState = 'booting';
    this.boot.cancel();
    this.loader = undefined;
    this.baud = ROM_BAUD;
    const { chip, flashSize } = this.settings;
    const plan = planFlashBoot({
      chip,
      cause,
      flashSize,
      chipRevision: chip.revision,
      read: (offset, length) => this.flash.view(offset, length),
      fault: this.parts.bootFault(),
    });
    this.boot.run(plan, {
      print: (text) => this.print(text),
      running: (app) => {
        this.currentState = 'app';
        this.app.start(app);
      },
      selfReset: (next) => {
        if (++this.selfResets > MAX_SELF_RESETS) {
          this.currentState = 'halted';
          return;
        }
        this.reset(next, false, false);
      },
    });
  }

  /** Whatever ran stops: boot output, loader state, a stall and (when `dropOutput`) bytes still in the TX FIFO. */
  private haltEverything(dropOutput: boolean): void {
    this.boot.cancel();
    this.loader = undefined;
    this.cpu.reset();
    this.app.stop();
    this.rx.reset();
    this.line.endStall(false);
    if (dropOutput) this.line.dropChipOutput();
  }

  /** What the loaders do to the chip happens on the CPU's clock: after the flash waits of the command at hand. */
  private context(): LoaderContext {
    const cpu = this.cpu;
    return {
      chip: this.settings.chip,
      flash: this.flash,
      registers: this.registers,
      neverSync: () => this.faults.neverSync,
      send: (packet) => cpu.at(() => this.line.transmit(slipEncode(packet))),
      waitForFlash: () => cpu.waitUntil(this.flash.busy.idleAt()),
      setBaud: (baud) =>
        cpu.at(() => {
          this.baud = baud;
        }),
      startStub: () =>
        cpu.at(() => {
          const stub = new FlasherStub(this.context());
          this.loader = stub;
          this.currentState = 'stub';
          stub.greet();
        }),
      runUserCode: () => cpu.at(() => this.bootFromFlash(undefined)),
      crash: () =>
        cpu.at(() => {
          this.loader = undefined;
          this.currentState = 'halted';
        }),
      softReset: () => cpu.at(() => this.reset('software-cpu', true, false)),
    };
  }

  private print(text: string): void {
    this.line.transmit(new TextEncoder().encode(text));
  }
}
