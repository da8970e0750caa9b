// Devices already in the field that FieldFlash updates in compatibility mode (ESPHome, ElegantOTA): where each
// answers, which upload it takes, the user name its web server asks for, and the version it last reported. Their
// password is never kept: these systems take it in clear (HTTP Basic), so it cannot be reduced to a key that only
// signs, and a stored copy could be replayed. It is asked for at each push (docs/decisions.md).
import type { CompatKind } from '@fieldflash/protocol';
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { CompatDevice } from './records.ts';

export type { CompatDevice } from './records.ts';

type ChangeListener = () => void;
const listeners = new Set<ChangeListener>();
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('fieldflash-compat-devices');
channel?.addEventListener('message', () => notify(false));

function notify(broadcast: boolean): void {
  for (const listener of [...listeners]) listener();
  if (broadcast) channel?.postMessage('changed');
}

/** Calls the listener whenever a compatibility-mode device is added, changed or forgotten (here or in another window). */
export function subscribeCompatDevices(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function compatDeviceId(kind: CompatKind, url: string): string {
  return `${kind}:${new URL(url).host}`;
}

/** Keeps a device, replacing what was known about the same id. */
export async function saveCompatDevice(device: CompatDevice): Promise<void> {
  try {
    await (await database()).put('compatDevices', device);
  } catch (error) {
    throw storeErrorFrom(error, `remember the device at ${device.url}`);
  }
  notify(true);
}

/** Every compatibility-mode device, in the order they were added. */
export async function listCompatDevices(): Promise<CompatDevice[]> {
  try {
    const all = await (await database()).getAll('compatDevices');
    return all.sort((a, b) => a.addedAt - b.addedAt || a.id.localeCompare(b.id));
  } catch (error) {
    throw storeErrorFrom(error, 'list the devices in compatibility mode');
  }
}

/** Records that the device answered, and the version it reported (none: it reports none). */
export async function recordCompatAnswer(id: string, version: string | undefined, at = Date.now()): Promise<void> {
  try {
    const tx = (await database()).transaction('compatDevices', 'readwrite');
    const known = await tx.store.get(id);
    if (known) await tx.store.put({ ...known, lastSeen: { at, ...(version !== undefined ? { version } : {}) } });
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `record what the device ${id} reported`);
  }
  notify(true);
}

export async function forgetCompatDevice(id: string): Promise<void> {
  try {
    await (await database()).delete('compatDevices', id);
  } catch (error) {
    throw storeErrorFrom(error, `forget the device ${id}`);
  }
  notify(true);
}
