// Waiting for the verdict on an update the device applies later (docs/protocol.md §5.1). The client reads the device
// now and then until the time; "Check again" on the card reads it at once instead of at the next turn, so a
// technician who saw the device restart does not wait half a minute for the card to say so.
import { type ScheduledUpdate, type UpdateVerdict, type VerdictOptions, waitForScheduledVerdict } from '@fieldflash/protocol';

const nudges = new Map<string, AbortController>();

/** Resolves with the device's verdict, or rejects as waitForScheduledVerdict does; a nudge only reads sooner. */
export async function awaitScheduledVerdict(deviceId: string, options: VerdictOptions, scheduled: ScheduledUpdate): Promise<UpdateVerdict> {
  let current = scheduled;
  const onProgress: VerdictOptions['onProgress'] = (progress) => {
    // A schedule the device moved is followed from where it is now, not from where it was set.
    if (progress.appliesAt !== undefined && progress.appliesAt !== current.appliesAt.getTime()) current = { ...current, appliesAt: new Date(progress.appliesAt) };
    options.onProgress?.(progress);
  };
  while (true) {
    const nudge = new AbortController();
    nudges.set(deviceId, nudge);
    try {
      return await waitForScheduledVerdict({ ...options, signal: nudge.signal, onProgress }, current);
    } catch (error) {
      if (!nudge.signal.aborted) throw error;
    } finally {
      if (nudges.get(deviceId) === nudge) nudges.delete(deviceId);
    }
  }
}

/** Reads the device at once, if its card waits for a scheduled update's verdict. */
export function readScheduledVerdictNow(deviceId: string): void {
  nudges.get(deviceId)?.abort();
}
