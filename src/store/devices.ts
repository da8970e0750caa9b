// Devices FieldFlash has put on a network: who each one is and where it said it can be reached, so LAN
// updates can find it later. One record per board, keyed by its base MAC; a later provisioning replaces it.
// The same record keeps what FieldFlash last wrote to the board over USB (board-contents.ts); a board that was
// flashed but never put on a network has only that, and is not listed here.
import { database, type StoredDevice } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { DeviceRecord } from './records.ts';

export type { DeviceRecord } from './records.ts';

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
