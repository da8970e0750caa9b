// Devices paired for LAN updates: where each answers, what it last said about itself, and the pairing key kept in
// place of its secret. The key is a non-extractable CryptoKey: IndexedDB keeps it, and it signs logins, but no
// script (this one included) can read its bytes back. The secret itself is never stored.
import type { DeviceDocument, KeptPairingKey } from '@fieldflash/protocol';
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';

export type LanTransport = 'http' | 'webrtc';

export interface PairedDevice {
  /** The id from the device document. */
  id: string;
  /** The device's base URL (its origin), e.g. http://192.168.1.40:8070. */
  url: string;
  /** Derived from the pairing secret at pairing; logs in without it. */
  pairingKey: KeptPairingKey;
  /** ms since the epoch. */
  pairedAt: number;
  /** The device document as last read. */
  document: DeviceDocument;
  /** When the device last answered, and over which transport. */
  lastSeen: { at: number; transport: LanTransport };
  /** The base MAC of the board it was added from, when it came from a Wi-Fi setup in the Flash view. */
  boardMac?: string;
  /** How updates reach it, as the technician chose; Automatic when unset (src/devices/transport-choice.ts). */
  transport?: LanTransport;
  /** A limit on its updates' sending speed in KiB/s, for a weak shared Wi-Fi; none when unset. */
  throttleKiBps?: number;
  /** Set while an update runs, so one cut short by a reload or a closed laptop is picked up again. */
  updateInProgress?: UpdateInProgress;
}

export interface UpdateInProgress {
  releaseId: string;
  /** "FieldFlash Demo 1.0.0". */
  releaseName: string;
  /** The technician confirmed sending an older version. */
  downgrade: boolean;
  startedAt: number;
  /** The device's last update when this one started ("<sha256> <outcome>"), to tell this one from it afterwards. */
  lastUpdateBefore?: string;
  /** Send now, apply later: when the technician wants the device to reboot into the image (ms since the epoch). */
  applyAt?: number;
  /** Set once the device has scheduled that reboot: what waiting for its verdict needs, after a reload too. */
  scheduled?: ScheduledInProgress;
}

export interface ScheduledInProgress {
  sha256: string;
  version: string;
  /** The slot the image waits in. */
  slot: string;
  /** When the device reboots into it, by this laptop's clock (ms since the epoch). */
  appliesAt: number;
  /** Bytes this page put on the wire to send it, for the field report. */
  sentBytes: number;
  /** The version the device ran when the image was committed, for the field report. */
  fromVersion: string;
}

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
