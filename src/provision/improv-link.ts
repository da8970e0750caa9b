// Improv Serial over the open console, through improv-wifi-serial-sdk's serial class (the one ESP Web Tools
// uses; its Lit dialog is not used). The SDK reads `port.readable` and writes `port.writable`, nothing else,
// so it gets the console's shared view of the port instead of the port: the console keeps reading while
// Wi-Fi is set up, and closing this link never closes the port.
import { ImprovSerial, type Ssid } from 'improv-wifi-serial-sdk/dist/serial.js';
import type { Logger } from 'improv-wifi-serial-sdk/dist/const.js';
import type { SharedPortView } from '../serial/serial-monitor.ts';
import { explainImprovError, ProvisioningProblem } from './provisioning-problems.ts';

/** The device's Improv state in FieldFlash's words ("authorized" is Improv's "ready"). */
export type WifiState = 'stopped' | 'authorized' | 'provisioning' | 'provisioned';

const STATES: Record<number, WifiState> = { 0: 'stopped', 2: 'authorized', 3: 'provisioning', 4: 'provisioned' };

export interface ImprovDeviceInfo {
  firmware: string;
  version: string;
  chipFamily: string;
  name: string;
}

export interface WifiNetwork {
  ssid: string;
  rssi: number;
  secured: boolean;
}

/** The SDK logs every packet it writes at debug level, Wi-Fi password included: that level goes nowhere. */
const quietLogger: Logger = {
  log: () => undefined,
  debug: () => undefined,
  error: (message: string) => console.warn(`Improv Serial: ${message}`),
};

/**
 * initialize() awaits requestCurrentState() inside a promise executor, so when a device never answers, that call's
 * own timeout would surface later as an unhandled rejection. Here it waits no longer than detection, and its failure
 * is left to initialize()'s timeout, which is handled.
 */
class DetectingImprovSerial extends ImprovSerial {
  detectMs = 1000;

  override async requestCurrentState(timeout?: number): Promise<void> {
    try {
      await super.requestCurrentState(timeout ?? this.detectMs);
    } catch {
      await new Promise<never>(() => undefined);
    }
  }
}

const PROVISION_TIMEOUT_MS = 30_000;
const SCAN_TIMEOUT_MS = 15_000;

export class ImprovLink {
  private constructor(
    private readonly sdk: ImprovSerial,
    readonly info: ImprovDeviceInfo,
  ) {}

  /**
   * Asks the device for its Improv state until it answers or `timeoutMs` passes (it may still be booting).
   * Undefined when it never answers: the firmware does not offer Wi-Fi setup over USB.
   */
  static async detect(view: SharedPortView, timeoutMs: number): Promise<ImprovLink | undefined> {
    // The SDK's type says SerialPort; it touches only the two streams the view has.
    const sdk = new DetectingImprovSerial(view as unknown as SerialPort, quietLogger);
    sdk.detectMs = timeoutMs;
    try {
      const info = await sdk.initialize(timeoutMs);
      if (!info) return undefined;
      return new ImprovLink(sdk, { firmware: info.firmware, version: info.version, chipFamily: info.chipFamily, name: info.name });
    } catch {
      // initialize() has closed its reader already.
      return undefined;
    }
  }

  get state(): WifiState {
    return STATES[this.sdk.state ?? 0] ?? 'stopped';
  }

  /** The URL a provisioned device reported. */
  get url(): string | undefined {
    return this.sdk.nextUrl;
  }

  onStateChange(listener: (state: WifiState) => void): () => void {
    const handler = () => listener(this.state);
    this.sdk.addEventListener('state-changed', handler);
    return () => this.sdk.removeEventListener('state-changed', handler);
  }

  /** Called once when the console's port closes or is reopened under the link. */
  onClosed(listener: () => void): void {
    this.sdk.addEventListener('disconnect', listener, { once: true });
  }

  /** The networks the device can see, strongest first. */
  async scan(): Promise<WifiNetwork[]> {
    let found: Ssid[];
    try {
      found = await this.sdk.scan(SCAN_TIMEOUT_MS);
    } catch (error) {
      throw explainImprovError(error, 'scan');
    }
    return found.map((s) => ({ ssid: s.name, rssi: s.rssi, secured: s.secured })).sort((a, b) => b.rssi - a.rssi);
  }

  /** Sends the Wi-Fi settings and waits for the device to join; returns the URL it reports. */
  async provision(ssid: string, password: string): Promise<string | undefined> {
    try {
      await this.sdk.provision(ssid, password, PROVISION_TIMEOUT_MS);
    } catch (error) {
      throw explainImprovError(error, 'provision', ssid);
    }
    return this.sdk.nextUrl;
  }

  async close(): Promise<void> {
    await this.sdk.close().catch(() => undefined);
  }
}

export { ProvisioningProblem };
