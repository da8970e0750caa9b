// Devices paired for LAN updates: where each answers, what it last said about itself, and the pairing key kept in
// place of its secret. The key is a non-extractable CryptoKey: IndexedDB keeps it, and it signs logins, but no
// script (this one included) can read its bytes back. The secret itself is never stored.
import type { DeviceDocument } from '@fieldflash/protocol';
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { LanTransport, PairedDevice, UpdateInProgress, ScheduledInProgress } from './records.ts';

export type { LanTransport, PairedDevice, UpdateInProgress, ScheduledInProgress } from './records.ts';

type ChangeListener = () => void;
const listeners = new Set<ChangeListener>();
// Other FieldFlash windows on this device hear about changes too.
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('fieldflash-paired-devices');
channel?.addEventListener('message', () => notify(false));

function notify(broadcast: boolean): void {
  for (const listener of [...listeners]) listener();
  if (broadcast) channel?.postMessage('changed');
}

/** Calls the listener whenever a paired device is added, changed or forgotten (in this window or another). */
export function subscribePairedDevices(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Keeps a paired device, replacing what was known about the same device id. */
export async function savePairedDevice(device: PairedDevice): Promise<void> {
  try {
    await (await database()).put('pairedDevices', device);
  } catch (error) {
    throw storeErrorFrom(error, `remember the device at ${device.url}`);
  }
  notify(true);
}

/** One paired device as kept now, or undefined when it was forgotten. */
export async function getPairedDevice(id: string): Promise<PairedDevice | undefined> {
  try {
    return await (await database()).get('pairedDevices', id);
  } catch (error) {
    throw storeErrorFrom(error, `read the device ${id}`);
  }
}

/** Every paired device, in the order they were paired. */
export async function listPairedDevices(): Promise<PairedDevice[]> {
  try {
    const all = await (await database()).getAll('pairedDevices');
    return all.sort((a, b) => a.pairedAt - b.pairedAt || a.id.localeCompare(b.id));
  } catch (error) {
    throw storeErrorFrom(error, 'list the paired devices');
  }
}

/**
 * Records what a device just said about itself, in one transaction so that a check and an update finishing
 * together cannot undo each other. Nothing happens when the device was forgotten meanwhile.
 */
export async function recordDeviceAnswer(id: string, document: DeviceDocument, transport: LanTransport, at = Date.now()): Promise<void> {
  try {
    const tx = (await database()).transaction('pairedDevices', 'readwrite');
    const known = await tx.store.get(id);
    if (known) await tx.store.put({ ...known, document, lastSeen: { at, transport } });
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `record what the device ${id} reported`);
  }
  notify(true);
}

export type DeviceSettings = Pick<PairedDevice, 'transport' | 'throttleKiBps'>;

/** Keeps how the device's updates are sent; a setting given as undefined goes back to its default. */
export async function changeDeviceSettings(id: string, change: { [K in keyof DeviceSettings]: DeviceSettings[K] | undefined }): Promise<void> {
  try {
    const tx = (await database()).transaction('pairedDevices', 'readwrite');
    const known = await tx.store.get(id);
    if (known) {
      const next: PairedDevice = { ...known, ...change };
      for (const name of Object.keys(change) as Array<keyof DeviceSettings>) if (next[name] === undefined) delete next[name];
      await tx.store.put(next);
    }
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `keep the update settings of the device ${id}`);
  }
  notify(true);
}

/** Marks an update as running on the device, or (undefined) as ended; nothing happens for a forgotten device. */
export async function recordUpdateInProgress(id: string, update: UpdateInProgress | undefined): Promise<void> {
  try {
    const tx = (await database()).transaction('pairedDevices', 'readwrite');
    const known = await tx.store.get(id);
    if (known) {
      const { updateInProgress: _previous, ...rest } = known;
      await tx.store.put(update ? { ...rest, updateInProgress: update } : rest);
    }
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `record the update of the device ${id}`);
  }
  notify(true);
}

/** Forgets a paired device and its key. Returns false when it was not known. */
export async function forgetPairedDevice(id: string): Promise<boolean> {
  let found = false;
  try {
    const tx = (await database()).transaction('pairedDevices', 'readwrite');
    found = (await tx.store.getKey(id)) !== undefined;
    await tx.store.delete(id);
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `forget the device ${id}`);
  }
  if (found) notify(true);
  return found;
}
