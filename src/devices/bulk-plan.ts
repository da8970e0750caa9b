// What "Update selected" does with each selected device: the newest release in the library that fits it, or why it
// is left out. A downgrade is never sent to many devices at once: each one asks on its own card first, so a click
// meant for the fleet cannot take one device back a version unnoticed. A device already on the newest fitting
// version is left alone rather than sent the same image again.
import { sameName, SCHEDULED_REBOOT } from '@fieldflash/protocol';
import type { PairedDevice, ReleaseSummary } from '../store/index.ts';
import { releaseFits } from './release-fit.ts';

export interface BulkStart {
  device: PairedDevice;
  release: ReleaseSummary;
}

export interface BulkSkip {
  device: PairedDevice;
  /** Why it is left out, for people: "already runs 1.0.0, the newest release that fits it". */
  reason: string;
}

export interface BulkPlan {
  start: BulkStart[];
  skipped: BulkSkip[];
}

/**
 * `busy` says a device already has an update running or waiting; it keeps that one. `applyLater`: the technician
 * chose a time, which a device that cannot schedule its restart would not keep, so it is left out rather than
 * restarted now.
 */
export function planBulkUpdate(
  devices: readonly PairedDevice[],
  releases: readonly ReleaseSummary[],
  busy: (deviceId: string) => boolean,
  applyLater = false,
): BulkPlan {
  const plan: BulkPlan = { start: [], skipped: [] };
  for (const device of devices) {
    const skip = (reason: string) => plan.skipped.push({ device, reason });
    if (busy(device.id)) {
      skip('it is already being updated; it keeps that update.');
      continue;
    }
    if (applyLater && !device.document.capabilities.includes(SCHEDULED_REBOOT)) {
      skip(`it cannot schedule its restart (agent ${device.document.agentVersion}), so it would apply the update at once. Update it on its own, without a time.`);
      continue;
    }
    const judged = releaseFits(releases, device.document);
    const newest = judged[0];
    if (!newest?.fits) {
      // The reason worth reading is about a release of the device's own product, when the library holds one.
      const own = judged.find((fit) => sameName(fit.release.product, device.document.product));
      skip(own && !own.fits ? `no release in the library fits it: ${own.reason}` : `the library holds no release of ${device.document.product}. Add one in Library first.`);
      continue;
    }
    const version = newest.release.version;
    if (newest.direction === 'reinstall') skip(`it already runs ${version}, the newest release in the library that fits it.`);
    else if (newest.direction === 'downgrade') {
      skip(`the newest release that fits it, ${version}, is older than the ${device.document.version} it runs. Downgrades are not sent to many devices at once: use its own Downgrade button, which asks first.`);
    } else plan.start.push({ device, release: newest.release });
  }
  return plan;
}
