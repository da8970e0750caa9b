// An update cut short by a reload may have got further on the device than the page saw: committed, even booted and
// judged. Then its verdict is read from the device instead of the image being sent again.
import { type DeviceDocument, LinkError } from '@fieldflash/protocol';
import type { StoredRelease, UpdateInProgress } from '../store/index.ts';
import { readDeviceDocument } from './device-reading.ts';

export interface EarlierVerdict {
  document: DeviceDocument;
  outcome: 'confirmed' | 'rolled-back';
  slot: string;
  reason?: string;
}

const POLL_MS = 500;
/** As long as the update client waits for a verdict after a reboot. */
const VERDICT_WAIT_MS = 120_000;

/** What the device's last update was when this one started, to tell a later one (ours) from it. */
export function lastUpdateMark(document: DeviceDocument): string | undefined {
  return document.lastUpdate ? `${document.lastUpdate.sha256} ${document.lastUpdate.outcome}` : undefined;
}

/**
 * The device's verdict on the interrupted update, when the device committed one of the release's images since it
 * started; waits while that image is still in its test boot. Undefined when the update is to be continued.
 */
export async function earlierVerdict(url: string, release: StoredRelease, interrupted: UpdateInProgress): Promise<EarlierVerdict | undefined> {
  const images = new Set(release.files.map((f) => f.sha256));
  const ours = (document: DeviceDocument) =>
    document.lastUpdate !== undefined && images.has(document.lastUpdate.sha256) && lastUpdateMark(document) !== interrupted.lastUpdateBefore;
  let document = await readDeviceDocument(url);
  if (!ours(document)) return undefined;
  // Sent to apply later, the image stays pending until its time: the update goes on, and the device answers the
  // offer and the commit as already done and takes the schedule again.
  if (interrupted.applyAt !== undefined && document.lastUpdate?.outcome === 'pending') return undefined;
  const deadline = Date.now() + VERDICT_WAIT_MS;
  while (document.lastUpdate?.outcome === 'pending' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      document = await readDeviceDocument(url);
    } catch (error) {
      if (!(error instanceof LinkError)) throw error; // a device in its test boot is off the network for a moment
    }
  }
  const last = document.lastUpdate!;
  if (last.outcome === 'pending') return undefined;
  const slot = document.slots.find((s) => s.sha256 === last.sha256)?.name ?? 'its inactive slot';
  return { document, outcome: last.outcome, slot, ...(last.reason !== undefined ? { reason: last.reason } : {}) };
}
