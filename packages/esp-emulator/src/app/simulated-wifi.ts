// The radio world around the simulated board: which networks it can see, which password each one takes,
// and the URL its app reports once it has joined one. Also which apps answer Improv Serial at all.

export interface SimulatedNetwork {
  ssid: string;
  /** Signal strength in dBm, as a scan reports it (e.g. -48). */
  rssi: number;
  /** The password the access point accepts; undefined for an open network. */
  password?: string;
}

export interface SimulatedWifi {
  networks: SimulatedNetwork[];
  /** The URL the app reports after joining (where a browser or FieldFlash's LAN updates reach it). */
  deviceUrl: string;
  /** How long joining takes (association, WPA handshake, DHCP), in ms. */
  connectMs: number;
  /** Project names (esp_app_desc_t) of the apps that speak Improv Serial; by default only FieldFlash's demo app. */
  improvApps: string[];
}

export const DEFAULT_SIMULATED_WIFI: Readonly<SimulatedWifi> = Object.freeze({
  networks: [
    { ssid: 'FieldLab', rssi: -48, password: 'lab-passphrase-24' },
    { ssid: 'Workshop 2.4GHz', rssi: -63, password: 'workshop-2024' },
    { ssid: 'Guest', rssi: -79 },
  ],
  // The first demo device `npm start` runs beside the app (scripts/demo-agents.ts), so the README's walk goes on
  // from Wi-Fi setup to a LAN update with nothing to type.
  deviceUrl: 'http://127.0.0.1:8070/',
  connectMs: 600,
  improvApps: ['fieldflash-demo'],
});

/** Checks a partial configuration and merges it over `base`. */
export function mergeSimulatedWifi(base: Readonly<SimulatedWifi>, change: Partial<SimulatedWifi>): SimulatedWifi {
  const next: SimulatedWifi = {
    networks: (change.networks ?? base.networks).map((n) => ({ ...n })),
    deviceUrl: change.deviceUrl ?? base.deviceUrl,
    connectMs: change.connectMs ?? base.connectMs,
    improvApps: [...(change.improvApps ?? base.improvApps)],
  };
  for (const n of next.networks) {
    const ssidBytes = new TextEncoder().encode(n.ssid).length;
    if (ssidBytes === 0 || ssidBytes > 32) throw new RangeError(`a network name has 1 to 32 bytes; "${n.ssid}" has ${ssidBytes}`);
    if (!Number.isFinite(n.rssi) || n.rssi > 0 || n.rssi < -120) throw new RangeError(`signal of "${n.ssid}" must be between -120 and 0 dBm, not ${n.rssi}`);
    if (n.password !== undefined && (n.password.length < 8 || n.password.length > 63)) {
      throw new RangeError(`a WPA2 password has 8 to 63 characters; the one for "${n.ssid}" has ${n.password.length}`);
    }
  }
  if (new Set(next.networks.map((n) => n.ssid)).size !== next.networks.length) throw new RangeError('two simulated networks have the same name');
  if (!/^https?:\/\/\S+$/.test(next.deviceUrl)) throw new RangeError(`the device URL must start with http:// or https://, not "${next.deviceUrl}"`);
  if (!(next.connectMs >= 0)) throw new RangeError(`connectMs must be 0 or more, not ${next.connectMs}`);
  return next;
}

export type JoinResult = { ok: true } | { ok: false; reason: 'no-ap-found' | 'wrong-password' };

/** What an access point makes of a join attempt. */
export function tryJoin(wifi: Readonly<SimulatedWifi>, ssid: string, password: string): JoinResult {
  const network = wifi.networks.find((n) => n.ssid === ssid);
  if (!network) return { ok: false, reason: 'no-ap-found' };
  if (network.password === undefined) return { ok: true };
  return network.password === password ? { ok: true } : { ok: false, reason: 'wrong-password' };
}
