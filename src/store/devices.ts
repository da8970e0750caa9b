// Devices FieldFlash has put on a network: who each one is and where it said it can be reached, so LAN
// updates can find it later. One record per board, keyed by its base MAC; a later provisioning replaces it.
// The same record keeps what FieldFlash last wrote to the board over USB (board-contents.ts); a board that was
// flashed but never put on a network has only that, and is not listed here.
import { database, type StoredDevice } from './schema.ts';
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

/** True for a record of a board put on a network (not only flashed). */
function provisioned(stored: StoredDevice | undefined): stored is StoredDevice & DeviceRecord {
  return stored !== undefined && typeof stored.url === 'string' && typeof stored.provisionedAt === 'number';
}

/** Keeps the device's identity with its URL, replacing what was known about the same board (but not what was written to it). */
export async function saveDevice(record: DeviceRecord): Promise<void> {
  try {
    const db = await database();
    const tx = db.transaction('devices', 'readwrite');
    const written = (await tx.store.get(record.mac))?.written;
    await tx.store.put(written ? { ...record, written } : record);
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `remember the device ${record.mac}`);
  }
}

export async function getDevice(mac: string): Promise<DeviceRecord | undefined> {
  try {
    const stored = await (await database()).get('devices', mac);
    return provisioned(stored) ? withoutWritten(stored) : undefined;
  } catch (error) {
    throw storeErrorFrom(error, `read the device ${mac}`);
  }
}

/** Every remembered device, most recently provisioned first. */
export async function listDevices(): Promise<DeviceRecord[]> {
  try {
    const all = (await (await database()).getAll('devices')).filter(provisioned).map(withoutWritten);
    return all.sort((a, b) => b.provisionedAt - a.provisionedAt);
  } catch (error) {
    throw storeErrorFrom(error, 'list the devices');
  }
}

function withoutWritten(stored: StoredDevice & DeviceRecord): DeviceRecord {
  const { written: _written, ...record } = stored;
  return record;
}
