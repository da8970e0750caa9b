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
 * started. Undefined when the update is to be continued.
 *
 * A committed image still `pending` may be in its test boot, or may wait for a reboot the page never asked for (it
 * was reloaded between the commit and the reboot): the document does not tell them apart. So the update goes on
 * first (`waitWhilePending: false`): the device takes the offer and the commit of its pending image again and is
 * asked to reboot. A device in its test boot answers that with `busy`, and only then is its verdict waited for.
 */
export async function earlierVerdict(url: string, release: StoredRelease, interrupted: UpdateInProgress, options: { waitWhilePending: boolean }): Promise<EarlierVerdict | undefined> {
  const images = new Set(release.files.map((f) => f.sha256));
  const ours = (document: DeviceDocument) =>
    document.lastUpdate !== undefined && images.has(document.lastUpdate.sha256) && lastUpdateMark(document) !== interrupted.lastUpdateBefore;
  let document = await readDeviceDocument(url);
  if (!ours(document)) return undefined;
  // Sent to apply later, the image stays pending until its time: the update goes on, and the device answers the
  // offer and the commit as already done and takes the schedule again.
  if (document.lastUpdate?.outcome === 'pending' && (interrupted.applyAt !== undefined || !options.waitWhilePending)) return undefined;
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
