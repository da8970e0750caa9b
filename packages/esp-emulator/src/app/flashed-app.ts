// The flashed app once it has reached app_main(), as the host sees it over the console UART. Apps FieldFlash
// knows to speak Improv Serial get its device side, in the simulated Wi-Fi world around the board; any other
// app ignores what the host sends. The Wi-Fi world outlives resets; the running app does not.
import type { AppDescription } from '@fieldflash/bundle';
import { ImprovSerialDevice } from './improv-device.ts';
import { DEFAULT_SIMULATED_WIFI, mergeSimulatedWifi, type SimulatedWifi } from './simulated-wifi.ts';

export interface AppBoard {
  /** "ESP32", "ESP32-S3": the chip family the app reports. */
  chipFamily: string;
  mac: string;
  /** Bytes out of the chip's UART. */
  transmit(bytes: Uint8Array): void;
}

export class FlashedApp {
  private wifiWorld: SimulatedWifi;
  /** The running app's Improv Serial side, when the app speaks it. */
  private improv: ImprovSerialDevice | undefined;

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
  start(app: AppDescription | undefined): void {
    if (!app || !this.wifiWorld.improvApps.includes(app.projectName)) return;
    this.improv = new ImprovSerialDevice(
      { projectName: app.projectName, version: app.version, chipFamily: this.board.chipFamily, mac: this.board.mac },
      { transmit: (bytes) => this.board.transmit(bytes), wifi: () => this.wifiWorld },
    );
  }

  /** Bytes the host sent while the app runs. */
  receive(bytes: Uint8Array): void {
    this.improv?.receive(bytes);
  }

  /** A reset or power loss: the app stops, with whatever it was doing. */
  stop(): void {
    this.improv?.stop();
    this.improv = undefined;
  }
}
