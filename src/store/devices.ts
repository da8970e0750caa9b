// Devices FieldFlash has put on a network: who each one is and where it said it can be reached, so LAN
// updates can find it later. One record per board, keyed by its base MAC; a later provisioning replaces it.
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';

export interface DeviceRecord {
  /** Base MAC as the ROM reports it, "24:0a:c4:12:34:56". */
  mac: string;
  /** esptool's chip name ("ESP32") and package ("ESP32-D0WD-V3"). */
  chipName: string;
  model: string;
  /** The release FieldFlash installed before provisioning ("FieldFlash Demo 1.0.0"). */
  release: string;
  /** What the running app says it is (Improv device info). */
  firmware: { name: string; version: string };
  /** The device's own name for itself. */
  deviceName: string;
  /** Where the device said it can be reached once on the network. */
  url: string;
  /** The network it joined (never its password); absent when it was on a network already. */
  ssid?: string;
  /** When it reported the URL (ms since the epoch). */
  provisionedAt: number;
  /** True for FieldFlash's simulated board. */
  simulated: boolean;
}

/** Keeps the device's identity with its URL, replacing what was known about the same board. */
export async function saveDevice(record: DeviceRecord): Promise<void> {
  try {
    const db = await database();
    await db.put('devices', record);
  } catch (error) {
    throw storeErrorFrom(error, `remember the device ${record.mac}`);
  }
}

export async function getDevice(mac: string): Promise<DeviceRecord | undefined> {
  try {
    return await (await database()).get('devices', mac);
  } catch (error) {
    throw storeErrorFrom(error, `read the device ${mac}`);
  }
}

/** Every remembered device, most recently provisioned first. */
export async function listDevices(): Promise<DeviceRecord[]> {
  try {
    const all = await (await database()).getAll('devices');
    return all.sort((a, b) => b.provisionedAt - a.provisionedAt);
  } catch (error) {
    throw storeErrorFrom(error, 'list the devices');
  }
}
