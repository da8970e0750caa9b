// The device side of Improv Serial, as the demo app runs it once app_main() has started: it answers the
// four RPC commands (Wi-Fi settings, current state, device info, scanned networks), joins a simulated
// network and reports its URL, and logs what it does on the console like an ESP-IDF app (never the password).
import { IdfLog } from '../boot/idf-log.ts';
import {
  encodeImprovPacket, ImprovError, ImprovPacketReader, ImprovState, PacketType, parseRpc, parseWifiSettings, rpcResultData, RpcCommand,
} from './improv-packet.ts';
import { tryJoin, type SimulatedWifi } from './simulated-wifi.ts';

export interface RunningApp {
  projectName: string;
  version: string;
  /** "ESP32", "ESP32-S3": what REQUEST_DEVICE_INFO reports as hardware. */
  chipFamily: string;
  mac: string;
}

export interface AppIo {
  /** Bytes out of the chip's UART (packets and console text share it). */
  transmit(bytes: Uint8Array): void;
  wifi(): Readonly<SimulatedWifi>;
}

/** Roughly where the start-up log leaves the clock when app_main() runs. */
const APP_MAIN_MS = 340;
const TAG = 'improv_serial';

export class ImprovSerialDevice {
  private state: ImprovState = ImprovState.ready;
  private url: string | undefined;
  private readonly reader = new ImprovPacketReader();
  private joinTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly startedAt = globalThis.performance.now();

  constructor(
    private readonly app: RunningApp,
    private readonly io: AppIo,
  ) {
    this.log('I', TAG, 'Improv Serial v1 ready: waiting for Wi-Fi settings');
  }

  get currentState(): ImprovState {
    return this.state;
  }

  /** Bytes the host sent while the app runs. */
  receive(bytes: Uint8Array): void {
    for (const outcome of this.reader.push(bytes)) {
      if (outcome.kind === 'bad-checksum') this.sendError(ImprovError.invalidRpcPacket);
      if (outcome.kind !== 'packet' || outcome.packet.type !== PacketType.rpc) continue;
      const rpc = parseRpc(outcome.packet.data);
      if (!rpc) {
        this.sendError(ImprovError.invalidRpcPacket);
        continue;
      }
      this.handle(rpc.command, rpc.payload);
    }
  }

  /** The chip was reset or lost power: a join in progress goes nowhere. */
  stop(): void {
    if (this.joinTimer !== undefined) clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
  }

  private handle(command: number, payload: Uint8Array): void {
    switch (command) {
      case RpcCommand.requestCurrentState:
        this.sendState();
        if (this.state === ImprovState.provisioned && this.url) this.sendResult(command, [this.url]);
        return;
      case RpcCommand.requestDeviceInfo:
        this.sendResult(command, [this.app.projectName, this.app.version, this.app.chipFamily, this.deviceName()]);
        return;
      case RpcCommand.requestScannedNetworks: {
        const seen = [...this.io.wifi().networks].sort((a, b) => b.rssi - a.rssi);
        for (const n of seen) this.sendResult(command, [n.ssid, String(n.rssi), n.password === undefined ? 'NO' : 'YES']);
        this.sendResult(command, []);
        return;
      }
      case RpcCommand.sendWifiSettings: {
        const settings = parseWifiSettings(payload);
        if (!settings || settings.ssid.length === 0) {
          this.sendError(ImprovError.invalidRpcPacket);
          return;
        }
        this.join(settings.ssid, settings.password);
        return;
      }
      default:
        this.sendError(ImprovError.unknownRpcCommand);
    }
  }

  private join(ssid: string, password: string): void {
    this.stop();
    this.url = undefined;
    this.log('I', TAG, `Wi-Fi settings received for "${ssid}"`);
    this.log('I', 'wifi', `connecting to "${ssid}"`);
    this.setState(ImprovState.provisioning);
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined;
      const wifi = this.io.wifi();
      const result = tryJoin(wifi, ssid, password);
      if (!result.ok) {
        if (result.reason === 'wrong-password') this.log('W', 'wifi', `disconnected from "${ssid}", reason 15 (4WAY_HANDSHAKE_TIMEOUT)`);
        else this.log('W', 'wifi', `"${ssid}" not found, reason 201 (NO_AP_FOUND)`);
        this.log('E', TAG, `could not connect to "${ssid}"`);
        this.sendError(ImprovError.unableToConnect);
        this.setState(ImprovState.ready);
        return;
      }
      const network = wifi.networks.find((n) => n.ssid === ssid)!;
      this.log('I', 'wifi', `connected to "${ssid}", rssi ${network.rssi}`);
      const ip = ipv4Of(wifi.deviceUrl);
      if (ip) this.log('I', 'esp_netif_handlers', `sta ip: ${ip}, mask: 255.255.255.0, gw: ${ip.replace(/\.\d+$/, '.1')}`);
      this.url = wifi.deviceUrl;
      this.log('I', TAG, `provisioned; reachable at ${this.url}`);
      this.setState(ImprovState.provisioned);
      this.sendResult(RpcCommand.sendWifiSettings, [this.url]);
    }, this.io.wifi().connectMs);
    (this.joinTimer as { unref?: () => void }).unref?.();
  }

  private deviceName(): string {
    return `${this.app.projectName}-${this.app.mac.replace(/:/g, '').slice(-6)}`;
  }

  private setState(state: ImprovState): void {
    this.state = state;
    this.sendState();
  }

  private sendState(): void {
    this.io.transmit(encodeImprovPacket(PacketType.currentState, [this.state]));
  }

  private sendError(error: ImprovError): void {
    this.io.transmit(encodeImprovPacket(PacketType.errorState, [error]));
  }

  private sendResult(command: number, strings: readonly string[]): void {
    this.io.transmit(encodeImprovPacket(PacketType.rpcResult, rpcResultData(command, strings)));
  }

  private log(level: 'I' | 'W' | 'E', tag: string, message: string): void {
    const log = new IdfLog(APP_MAIN_MS + Math.round(globalThis.performance.now() - this.startedAt));
    log.line(level, tag, message);
    this.io.transmit(new TextEncoder().encode(log.take()));
  }
}

/** The station address a board would print for its URL; none for loopback, which names a device played on this computer. */
function ipv4Of(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && !host.startsWith('127.') ? host : undefined;
  } catch {
    return undefined;
  }
}
