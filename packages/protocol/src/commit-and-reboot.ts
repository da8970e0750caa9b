// Finishing the transfer (docs/protocol.md §5): commit the complete image to its slot as pending, then reboot into
// it. Either reply may be lost on the way back; the device document then says whether the step already happened.

import type { DeviceDocument } from './device-document.ts';
import { DeviceRefusal } from './error-codes.ts';
import { expectOk } from './replies.ts';
import { parseCommitReply, parseRebootReply, type UpdateSession } from './update-messages.ts';
import type { UpdateRun } from './update-run.ts';

/** Commits the complete image; false when the device found its digest wrong and dropped it (sent again once). */
export async function commitImage(run: UpdateRun, session: UpdateSession): Promise<boolean> {
  const link = await run.link.ensureLink();
  const reply = await link.request('POST', `/updates/${session.sha256}/commit`, {});
  if (reply.status === 409 || reply.status === 404) {
    // A commit whose reply was lost: the device already holds the image as pending.
    run.device = await run.link.readDevice();
    if (isPending(run.device, session.sha256)) return true;
  }
  try {
    expectOk(reply, parseCommitReply, 'the commit');
    return true;
  } catch (err) {
    if (err instanceof DeviceRefusal && err.code === 'digest-mismatch' && !run.digestRetried) {
      run.digestRetried = true;
      run.progress.report({ phase: 'retrying', attempt: 1, reason: err.message, offset: 0 });
      return false;
    }
    throw err;
  }
}

export async function rebootDevice(run: UpdateRun, session: UpdateSession): Promise<void> {
  await run.link.ensureLogin();
  const reply = await run.link.http.request('POST', '/reboot', {}).catch(async (err: unknown) => {
    // The reply may be lost because the device is already rebooting; only ask again if the image still waits.
    run.device = await run.link.readDevice().catch(() => run.device);
    if (isPending(run.device, session.sha256) && run.device.lastUpdate?.outcome === 'pending') throw err;
    return undefined;
  });
  if (reply) expectOk(reply, parseRebootReply, 'the reboot request');
}

/** Whether the device holds the image committed, waiting for its test boot: in a slot, or (a source tree, which has no slot) as its last update. */
function isPending(device: DeviceDocument, sha256: string): boolean {
  if (device.slots.some((s) => s.state === 'pending' && s.sha256 === sha256)) return true;
  return device.lastUpdate?.sha256 === sha256 && device.lastUpdate.outcome === 'pending';
}
