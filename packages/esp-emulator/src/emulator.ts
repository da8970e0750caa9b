// The emulated chip: power, reset pins, UART, the ROM loader or the flasher stub, boot from flash.
// Shells (a Web Serial port in the page, a TCP server in Node) attach to it as the host end of the line.
import type { AppDescription } from '@fieldflash/bundle';
import { ImprovSerialDevice } from './app/improv-device.ts';
import { DEFAULT_SIMULATED_WIFI, mergeSimulatedWifi, type SimulatedWifi } from './app/simulated-wifi.ts';
import { planFlashBoot } from './boot/boot-log.ts';
import type { BootFault } from './boot/boot-faults.ts';
import { BootRunner } from './boot/boot-runner.ts';
import { downloadBanner, type ResetCause } from './boot/rom-banner.ts';
import { FaultInjector, type FaultPlan } from './faults.ts';
import { DEFAULT_FLASH_SIZE, NorFlash } from './flash.ts';
import type { LoaderContext } from './loader-context.ts';
import { LoaderCpu } from './loader-cpu.ts';
import { CHIPS, isChipName, parseMac, type ChipIdentity, type ChipName } from './registers/chips.ts';
import { RegisterFile } from './registers/register-file.ts';
import { ResetPins, TwoTransistorCircuit, UsbSerialJtagReset, type ResetCircuit } from './reset-circuit.ts';
import { RomLoader } from './rom-loader.ts';
import { SlipDecoder, slipEncode } from './slip.ts';
import { FlasherStub } from './stub.ts';
import { SerialLine, type HostLink } from './serial-line.ts';

export type UsbConnection = 'uart-bridge' | 'usb-serial-jtag';

export interface EspEmulatorOptions {
  chip: ChipName;
  /** Bytes; a power of two (default 4 MiB). */
  flashSize?: number;
  /** Pace bytes at the baud rate (default true). Turn off for fast unit tests. */
  wireTime?: boolean;
  /** Erases and writes take the flash chip's datasheet time (default: as `wireTime`). Turn off for fast tests. */
  flashTime?: boolean;
  /** Base MAC as "24:0a:c4:12:34:56". */
  mac?: string;
  faults?: FaultPlan;
  /** How the flashed app fails once it has started, every time it boots (default: it runs). */
  bootFault?: BootFault;
  /** A USB-UART bridge with the two-transistor auto-reset (default), or the S3/C3's own USB-Serial/JTAG. */
  usb?: UsbConnection;
  /** What happens at power-up with no host holding the lines: boot the app (default) or wait for download (BOOT held). */
  powerOnBoot?: 'app' | 'download';
  /** The networks around the board and the URL its app reports; which apps speak Improv Serial. */
  wifi?: Partial<SimulatedWifi>;
}

export type ChipState = 'off' | 'in-reset' | 'rom-loader' | 'stub' | 'booting' | 'app' | 'halted';

export interface EmulatorStats {
  bytesToChip: number;
  bytesFromChip: number;
  resets: number;
  flashSectorsErased: number;
  flashBytesProgrammed: number;
  /** Emulated time the flash spent erasing and programming (0 while flash time is off). */
  flashBusyMs: number;
}

export type { HostLink } from './serial-line.ts';

export interface HostConnection {
  /** Resolves once the bytes have reached the chip (after wire time, when it is on). */
  write(bytes: Uint8Array): Promise<void>;
  /** Modem lines, true = asserted. */
  setSignals(dataTerminalReady: boolean, requestToSend: boolean): void;
  detach(): void;
}

const ROM_BAUD = 115_200;
/** USB full speed carries CDC data at roughly this many "baud" (10 bits a byte); no UART in the way. */
const USB_LINE_BAUD = 12_000_000;
/** A chip that keeps failing to boot stops printing after this many self-resets (real ones loop forever). */
const MAX_SELF_RESETS = 3;

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
  private readonly cpu: LoaderCpu;
  private readonly registers: RegisterFile;
  private readonly faults: FaultInjector;
  private readonly circuit: ResetCircuit;
  private readonly pins: ResetPins;
  private readonly bootButtonHeld: boolean;
  private readonly line: SerialLine;
  private readonly rx: SlipDecoder;
  private readonly boot = new BootRunner();
  private resets = 0;

  private currentState: ChipState = 'off';
  private loader: RomLoader | FlasherStub | undefined;
  private baud = ROM_BAUD;
  private unplugged = false;
  private selfResets = 0;
  private wifiWorld: SimulatedWifi;
  /** The running app's Improv Serial side, when the app speaks it. */
  private improv: ImprovSerialDevice | undefined;

  constructor(options: EspEmulatorOptions) {
    super();
    if (!isChipName(options.chip)) throw new TypeError(`unknown chip "${String(options.chip)}": use esp32, esp32s3 or esp32c3`);
    this.chip = CHIPS[options.chip];
    this.flashSize = options.flashSize ?? DEFAULT_FLASH_SIZE;
    this.mac = options.mac ?? this.chip.defaultMac;
    this.bootFault = options.bootFault;
    this.usb = options.usb ?? 'uart-bridge';
    if (this.usb === 'usb-serial-jtag' && this.chip.name === 'esp32') throw new TypeError('the ESP32 has no USB-Serial/JTAG; use usb: "uart-bridge"');
    this.wireTime = options.wireTime ?? true;
    this.flashTime = options.flashTime ?? this.wireTime;
    this.bootButtonHeld = options.powerOnBoot === 'download';
    this.cpu = new LoaderCpu({
      handle: (frame) => this.loader?.handleFrame(frame),
      idle: (from, until) => this.loader?.idle?.(from, until),
    });
    this.flash = new NorFlash(this.flashSize, { timed: () => this.flashTime, now: () => this.cpu.now() });
    this.wifiWorld = mergeSimulatedWifi(DEFAULT_SIMULATED_WIFI, options.wifi ?? {});
    this.faults = new FaultInjector(options.faults);
    this.registers = new RegisterFile({
      chip: this.chip,
      mac: parseMac(this.mac),
      flashSize: this.flashSize,
      baud: () => this.baud,
      usbSerialJtag: this.usb === 'usb-serial-jtag',
    });
    this.pins = new ResetPins({
      hold: () => {
        this.haltEverything(true);
        this.currentState = 'in-reset';
      },
      release: (io0Low) => this.reset('power-on', io0Low || this.bootButtonHeld),
      resetFromUsb: (download) => this.reset('usb-uart', download),
    });
    this.circuit = this.usb === 'usb-serial-jtag' ? new UsbSerialJtagReset(this.pins) : new TwoTransistorCircuit(this.pins);
    this.line = new SerialLine({
      wireTime: () => this.wireTime,
      faults: this.faults,
      chipBaud: () => (this.usb === 'usb-serial-jtag' ? USB_LINE_BAUD : this.baud),
      noUart: this.usb === 'usb-serial-jtag',
      toChip: (bytes) => {
        if (this.loader) this.rx.push(bytes);
        else this.improv?.receive(bytes);
      },
      unplug: () => this.unplug(),
    });
    this.rx = new SlipDecoder((frame, damaged) => {
      if (!damaged) this.cpu.receive(frame);
    });
    this.reset('power-on', this.bootButtonHeld);
  }

  get state(): ChipState {
    return this.currentState;
  }

  /** The UART's current baud rate on the chip side. */
  get uartBaud(): number {
    return this.baud;
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  get stats(): EmulatorStats {
    return {
      ...this.line.counters,
      resets: this.resets,
      flashSectorsErased: this.flash.counters.sectorsErased,
      flashBytesProgrammed: this.flash.counters.bytesProgrammed,
      flashBusyMs: this.flash.busy.busyMs,
    };
  }

  readFlash(offset: number, length: number): Uint8Array {
    return this.flash.read(offset, length);
  }

  loadFlash(offset: number, bytes: Uint8Array): void {
    this.flash.load(offset, bytes);
  }

  /** The simulated Wi-Fi world; a change applies to the next join and scan. */
  get wifi(): Readonly<SimulatedWifi> {
    return this.wifiWorld;
  }

  setWifi(change: Partial<SimulatedWifi>): void {
    this.wifiWorld = mergeSimulatedWifi(this.wifiWorld, change);
  }

  /** Whether the running app answers Improv Serial (false while not running an app). */
  get speaksImprov(): boolean {
    return this.improv !== undefined;
  }

  setFaults(plan: FaultPlan): void {
    this.faults.set(plan);
  }

  get faultPlan(): Readonly<FaultPlan> {
    return this.faults.current;
  }

  /** Pulls the USB cable: the host loses the port, the chip loses power, flash keeps what it has. */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = true;
    this.powerOff();
    this.line.dropHostOutput();
    const link = this.line.link;
    this.line.link = undefined;
    link?.lost();
    this.dispatchEvent(new Event('unplug'));
  }

  /** Plugs the cable back in: the chip powers up (and boots per its strapping), the port can be opened again. */
  replug(): void {
    if (!this.unplugged) return;
    this.unplugged = false;
    this.pins.release();
    this.reset('power-on', this.bootButtonHeld);
    this.dispatchEvent(new Event('replug'));
  }

  /** Power off and on again (a board plugged into a powered hub; the TCP shell does this for its first client). */
  powerCycle(): void {
    if (this.unplugged) return;
    // The host still drives the lines through the bridge, so IO0 keeps whatever level they give it.
    this.pins.cancel();
    this.reset('power-on', this.pins.io0 === 'low' || this.bootButtonHeld);
  }

  /** Connects a host. One at a time, as with a real serial port. */
  attach(link: HostLink): HostConnection {
    if (this.unplugged) throw new Error('the device is unplugged');
    if (this.line.link) throw new Error('another host holds the serial port');
    // Whatever the chip printed before the port was opened is gone: the OS flushes its buffers on open.
    this.line.dropChipOutput();
    this.line.link = link;
    return {
      write: (bytes) => this.line.hostSends(link, bytes),
      setSignals: (dtr, rts) => {
        if (this.line.link === link && !this.unplugged) this.circuit.apply(dtr, rts);
      },
      detach: () => {
        if (this.line.link === link) this.line.link = undefined;
      },
    };
  }

  /** Stops timers and output (tests, server shutdown). */
  dispose(): void {
    this.powerOff();
    this.line.dropHostOutput();
    this.line.link = undefined;
  }

  // --- resets ---

  /** `external`: EN, USB or power; a reset the chip does itself lets its last answer leave the FIFO first. */
  private reset(cause: ResetCause, download: boolean, external = true): void {
    if (this.unplugged) return;
    this.haltEverything(external);
    this.registers.reset();
    this.baud = ROM_BAUD;
    this.resets++;
    if (external) this.selfResets = 0;
    if (download) {
      this.currentState = 'rom-loader';
      this.loader = new RomLoader(this.context());
      this.print(downloadBanner(this.chip.name, cause));
      return;
    }
    this.bootFromFlash(cause);
  }

  private bootFromFlash(cause: ResetCause | undefined): void {
    this.currentState = 'booting';
    this.boot.cancel();
    this.loader = undefined;
    this.baud = ROM_BAUD;
    const plan = planFlashBoot({
      chip: this.chip,
      cause,
      flashSize: this.flashSize,
      chipRevision: this.chip.revision,
      read: (offset, length) => this.flash.view(offset, length),
      fault: this.bootFault,
    });
    this.boot.run(plan, {
      print: (text) => this.print(text),
      running: (app) => {
        this.currentState = 'app';
        this.startApp(app);
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

  /** Apps FieldFlash knows to speak Improv Serial get its device side; any other app ignores what the host sends. */
  private startApp(app: AppDescription | undefined): void {
    if (!app || !this.wifiWorld.improvApps.includes(app.projectName)) return;
    this.improv = new ImprovSerialDevice(
      { projectName: app.projectName, version: app.version, chipFamily: this.chip.family, mac: this.mac },
      { transmit: (bytes) => this.line.transmit(bytes), wifi: () => this.wifiWorld },
    );
  }

  private powerOff(): void {
    this.haltEverything(true);
    this.flash.busy.powerLoss();
    this.pins.release();
    this.currentState = 'off';
  }

  /** Whatever ran stops: boot output, loader state, a stall and (when `dropOutput`) bytes still in the TX FIFO. */
  private haltEverything(dropOutput: boolean): void {
    this.boot.cancel();
    this.loader = undefined;
    this.cpu.reset();
    this.improv?.stop();
    this.improv = undefined;
    this.rx.reset();
    this.line.endStall(false);
    if (dropOutput) this.line.dropChipOutput();
  }

  /** What the loaders do to the chip happens on the CPU's clock: after the flash waits of the command at hand. */
  private context(): LoaderContext {
    const cpu = this.cpu;
    return {
      chip: this.chip,
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
