// Send now, apply later (docs/protocol.md §5.1): after the commit, the client asks the device to reboot into the
// image at the technician's time instead of now, and the verdict is waited for later, from the device document,
// by this client or by a reloaded page that only remembers the ScheduledUpdate.

import { authenticate, PairingKeys } from './auth.ts';
import { type DeviceDocument, parseDeviceDocument } from './device-document.ts';
import { refusalOf } from './replies.ts';
import { type HttpTarget, HttpTransport, type SignedTransport } from './http-transport.ts';
import { MAX_SCHEDULE_SECONDS, parseScheduledReboot, SCHEDULED_REBOOT } from './reboot-schedule-messages.ts';
import { expectOk } from './replies.ts';
import { sleep } from './throttle.ts';
import { LinkError } from './transport.ts';
import type { UpdateSession } from './update-messages.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateRun } from './update-run.ts';
import type { UpdateOptions, UpdateVerdict } from './update-options.ts';
import { ProgressReport } from './update-progress.ts';

/** An update committed now whose reboot the device has scheduled: what a client keeps to wait for its verdict later. */
export interface ScheduledUpdate {
  sha256: string;
  version: string;
  /** The slot the image was written to. */
  slot: string;
  /** When the device reboots into the image, by this client's clock: its reply's time plus the device's `inSeconds`. */
  appliesAt: Date;
  /** The same instant by the device's own clock (RFC 3339 UTC); far from `appliesAt`, the device's clock is off. */
  deviceAt: string;
  device: DeviceDocument;
}

/** What waiting for a scheduled update's verdict needs: only the device document, which needs no login. */
export type VerdictOptions = Pick<UpdateOptions, 'url' | 'clientId' | 'fetch' | 'fetchInit' | 'httpTransport' | 'verdictTimeoutMs' | 'signal' | 'onProgress'>;

/** Seconds from `now` to `applyAt`, or why that time cannot be scheduled (before a byte is sent, and again at commit). */
export function secondsUntil(applyAt: Date, now = Date.now()): number {
  const ms = applyAt.getTime() - now;
  if (Number.isNaN(ms)) throw new UpdateError('The time to apply the update is not a valid date.');
  if (ms <= 0) throw new UpdateError(`The time to apply the update (${applyAt.toLocaleString()}) is not in the future. Choose a later time, or update without one to reboot the device now.`);
  // Rounded up: the device reboots at the chosen time or within a second after it, never before.
  const seconds = Math.ceil(ms / 1000);
  if (seconds > MAX_SCHEDULE_SECONDS) throw new UpdateError(`A device reboots into an update at most 7 days ahead; ${applyAt.toLocaleString()} is further. Send the update closer to that time.`);
  return seconds;
}

/** The device can keep a scheduled reboot (it lists the capability), or the update stops before a byte is sent. */
export function checkSchedulable(device: DeviceDocument): void {
  if (!device.capabilities.includes(SCHEDULED_REBOOT)) {
    throw new UpdateError(`The device (agent ${device.agentVersion}) cannot schedule its reboot: it does not list ${SCHEDULED_REBOOT}. Update it now instead, or at the time you wanted.`);
  }
}

/** Asks the device to reboot into the committed image at `applyAt` (PUT /scheduled-reboot). */
export async function scheduleReboot(run: UpdateRun, session: UpdateSession, applyAt: Date): Promise<ScheduledUpdate> {
  let inSeconds: number;
  try {
    inSeconds = secondsUntil(applyAt);
  } catch (err) {
    // The time went by while the image was sent: rebooting now could be exactly what the technician wanted to avoid.
    throw new UpdateError(`${(err as Error).message} The image is committed and waits in slot ${session.slot}: the device boots it at its next reboot or restart.`, { cause: err });
  }
  await run.link.ensureLogin();
  const reply = await run.link.http.request('PUT', '/scheduled-reboot', { sha256: session.sha256, inSeconds });
  const answered = Date.now();
  if (reply.status === 409 && refusalOf(reply).code === 'not-pending') throw await notPending(run, session);
  const scheduled = expectOk(reply, parseScheduledReboot, 'the scheduled reboot');
  const appliesAt = new Date(answered + scheduled.inSeconds * 1000);
  run.progress.report({ phase: 'scheduled', appliesAt: appliesAt.getTime() });
  return { sha256: session.sha256, version: run.options.release.version, slot: session.slot, appliesAt, deviceAt: scheduled.at, device: run.device };
}

/** Why the committed image is no longer pending when its reboot is scheduled: replaced, or already booted. */
async function notPending(run: UpdateRun, session: UpdateSession): Promise<UpdateError> {
  const version = run.options.release.version;
  const last = (await run.link.readDevice().catch(() => undefined))?.lastUpdate;
  if (last?.sha256 === session.sha256 && last.outcome !== 'pending') {
    // A restart (power cut, crash) between the commit and the schedule was the image's test boot (§5).
    const verdict = last.outcome === 'confirmed' ? 'it was confirmed' : `it was rolled back (${last.reason ?? 'no reason given'})`;
    return new UpdateError(`The device restarted before it could keep the schedule and booted ${version} already: ${verdict}.`);
  }
  return new UpdateError(`Another update replaced ${version} on the device before its reboot could be scheduled. Run the update again if ${version} is still wanted.`);
}

/**
 * When a device document read at `readAt` (ms, this client's clock) says the device reboots into its pending image:
 * what a view shows as "applies at …", also after a reload, from the document alone. Undefined when none is scheduled.
 */
export function scheduledRebootTime(device: DeviceDocument, readAt = Date.now()): Date | undefined {
  const schedule = device.scheduledReboot;
  return schedule ? new Date(readAt + schedule.inSeconds * 1000) : undefined;
}

function httpFor(options: VerdictOptions): SignedTransport {
  const target: HttpTarget = { url: options.url, clientId: options.clientId };
  if (options.fetch) target.fetch = options.fetch;
  if (options.fetchInit) target.fetchInit = options.fetchInit;
  return options.httpTransport ? options.httpTransport(target) : new HttpTransport(target);
}

/**
 * Cancels the device's scheduled reboot (DELETE /scheduled-reboot); the image stays pending and boots at the
 * device's next reboot or restart. Any paired client may, so a technician can call off another one's schedule.
 */
export async function cancelScheduledReboot(options: VerdictOptions & Pick<UpdateOptions, 'password' | 'keys'>): Promise<void> {
  const keys = options.keys ?? (options.password === undefined ? undefined : new PairingKeys(options.password));
  if (!keys) throw new UpdateError('Cancelling a scheduled reboot needs the pairing secret or a kept pairing key; it was given neither.');
  const http = httpFor(options);
  try {
    http.signer = (await authenticate(http, keys, options.clientId)).signer;
    const reply = await http.request('DELETE', '/scheduled-reboot');
    if (reply.status !== 204) throw refusalOf(reply);
  } finally {
    http.close();
  }
}

/** A schedule is missing this long before its time only because someone cancelled or replaced it. */
const EARLY_MS = 2_000;
/** How often the device is read while its reboot is still far off, to notice a cancelled or moved schedule. */
const FAR_POLL_MS = 30_000;

/**
 * Waits until the device gives its verdict on a scheduled update: reads the device document now and then until
 * the time comes (a moved schedule moves `appliesAt`), then as after a reboot. A schedule gone before its time was
 * cancelled, or brought forward by a reboot now, which the document cannot tell apart: the verdict is then awaited
 * from that moment, and its absence reported as a cancel. Stops with an UpdateError when another image replaces this one.
 */
export async function waitForScheduledVerdict(options: VerdictOptions, scheduled: ScheduledUpdate, progress = new ProgressReport(options)): Promise<UpdateVerdict> {
  const http = httpFor(options);
  const timeoutMs = options.verdictTimeoutMs ?? 120_000;
  let appliesAt = scheduled.appliesAt.getTime();
  /** The schedule vanished before its time, and the image still waits as far as the device said last. */
  let unscheduled = false;
  /** Reads in a row that found the device away: it may be rebooting early, so it is read again soon. */
  let away = 0;
  progress.report({ phase: 'scheduled', sha256: scheduled.sha256, slot: scheduled.slot, appliesAt });
  try {
    // Read at least once: a page opened long after the time (the next morning) finds the verdict given meanwhile.
    for (let first = true; first || Date.now() < appliesAt + timeoutMs; first = false) {
      let device: DeviceDocument | undefined;
      try {
        device = expectOk(await http.request('GET', '/device'), parseDeviceDocument, 'the device document request');
        away = 0;
      } catch (err) {
        if (!(err instanceof LinkError)) throw err; // rebooting devices refuse connections for a while
        away++;
      }
      const last = device?.lastUpdate;
      if (device && last) {
        if (last.sha256 !== scheduled.sha256) {
          throw new UpdateError(`Another update (${last.version}) replaced ${scheduled.version} on the device before it booted; the device now reports that one. Run the update again if ${scheduled.version} is still wanted.`);
        }
        if (last.outcome !== 'pending') {
          progress.report({ phase: 'done' });
          const verdict: UpdateVerdict = { outcome: last.outcome, sha256: last.sha256, version: last.version, slot: scheduled.slot, device };
          if (last.reason !== undefined) verdict.reason = last.reason;
          return verdict;
        }
        const now = Date.now();
        const schedule = device.scheduledReboot;
        if (schedule?.sha256 === scheduled.sha256) {
          unscheduled = false;
          const moved = now + schedule.inSeconds * 1000;
          if (Math.abs(moved - appliesAt) > EARLY_MS) progress.report({ phase: 'scheduled', appliesAt: (appliesAt = moved) });
        } else if (now < appliesAt - EARLY_MS) {
          unscheduled = true;
          appliesAt = now;
        }
      }
      const left = appliesAt - Date.now();
      if (left <= 0 && progress.current.phase === 'scheduled') progress.report({ phase: 'waiting' });
      const far = Math.min(FAR_POLL_MS, left - EARLY_MS, away ? 1000 * 2 ** (away - 1) : FAR_POLL_MS);
      await sleep(left > EARLY_MS ? far : 250, options.signal);
    }
  } finally {
    http.close();
  }
  if (unscheduled) {
    throw new UpdateError(`The reboot into ${scheduled.version} was cancelled on the device before its time; the image is committed and waits in slot ${scheduled.slot}: the device boots it at its next reboot or restart.`);
  }
  throw new UpdateError(
    `The device did not report whether ${scheduled.version} booted within ${Math.round(timeoutMs / 1000)} s of its scheduled reboot. Check it is powered and on the network; its device document will say.`,
  );
}
