// The flashed app once it has reached app_main(), as the host sees it over the console UART. Apps FieldFlash
// knows to speak Improv Serial get its device side, in the simulated Wi-Fi world around the board; any other
// app ignores what the host sends, except MicroPython, whose REPL runs in the real interpreter (micropython/).
// The Wi-Fi world outlives resets; the running app does not.
import type { AppDescription } from '@fieldflash/bundle';
import type { NorFlash } from '../flash.ts';
import { MicroPythonBoard, MICROPYTHON_PROJECT } from '../micropython/micropython-board.ts';
import type { ChipName } from '../registers/chips.ts';
import { ImprovSerialDevice } from './improv-device.ts';
import { DEFAULT_SIMULATED_WIFI, mergeSimulatedWifi, type SimulatedWifi } from './simulated-wifi.ts';

export interface AppBoard {
  /** "ESP32", "ESP32-S3": the chip family the app reports. */
  chipFamily: string;
  chip: ChipName;
  mac: string;
  /** The app's flash: MicroPython keeps its filesystem in the vfs partition. */
  flash: NorFlash;
  /** Where the page serves MicroPython's WebAssembly; undefined in Node. */
  micropythonWasmUrl: string | undefined;
  /** Bytes out of the chip's UART. */
  transmit(bytes: Uint8Array): void;
}

export class FlashedApp {
  private wifiWorld: SimulatedWifi;
  /** The running app's Improv Serial side, when the app speaks it. */
  private improv: ImprovSerialDevice | undefined;
  /** The running MicroPython firmware, when the app is MicroPython. */
  private micropython: MicroPythonBoard | undefined;

  constructor(
    wifi: Partial<SimulatedWifi>,
    private readonly board: AppBoard,
  ) {
    this.wifiWorld = mergeSimulatedWifi(DEFAULT_SIMULATED_WIFI, wifi);
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

  /** The boot reached app_main() of `app` (undefined: an image without an app description). */
  /** Whether the running app is MicroPython (false while not running an app). */
  get runsMicroPython(): boolean {
    return this.micropython !== undefined;
  }

  start(app: AppDescription | undefined): void {
    if (app?.projectName === MICROPYTHON_PROJECT) {
      const board = this.board;
      this.micropython = new MicroPythonBoard({ chip: board.chip, flash: board.flash, transmit: (bytes) => board.transmit(bytes), wasmUrl: board.micropythonWasmUrl });
      this.micropython.start();
      return;
    }
    if (!app || !this.wifiWorld.improvApps.includes(app.projectName)) return;
    this.improv = new ImprovSerialDevice(
      { projectName: app.projectName, version: app.version, chipFamily: this.board.chipFamily, mac: this.board.mac },
      { transmit: (bytes) => this.board.transmit(bytes), wifi: () => this.wifiWorld },
    );
  }

  /** Bytes the host sent while the app runs. */
  receive(bytes: Uint8Array): void {
    this.improv?.receive(bytes);
    this.micropython?.receive(bytes);
  }

  /** A reset or power loss: the app stops, with whatever it was doing. */
  stop(): void {
    this.improv?.stop();
    this.improv = undefined;
    this.micropython?.stop();
    this.micropython = undefined;
  }
}
