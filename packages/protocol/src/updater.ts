// The update session as the app and the push command run it (docs/protocol.md §4–§5):
// read the device, authenticate, open the link, offer, send from the device's offset with retries,
// commit, reboot, and wait for the device's verdict: confirmed or rolled back. With `applyAt`, the device reboots
// into the image at that time instead (apply-later.ts): scheduleUpdate() returns then, updateDevice() waits on.
// Each phase has its module: device-link.ts (authentication and the link), transfer.ts (offer and resumed sending),
// retries.ts, commit-and-reboot.ts and verdict.ts; this one runs them in order.

import { PROTOCOL_VERSION } from './api.ts';
import { checkSchedulable, type ScheduledUpdate, scheduleReboot, secondsUntil, waitForScheduledVerdict } from './apply-later.ts';
import { commitImage, rebootDevice } from './commit-and-reboot.ts';
import type { DeviceDocument } from './device-document.ts';
import { DeviceLink } from './device-link.ts';
import { sameName } from './fields.ts';
import { DeviceRefusal } from './error-codes.ts';
import { Retries } from './retries.ts';
import { Throttle } from './throttle.ts';
import { imageFor, offerUpdate, sendImage } from './transfer.ts';
import type { UpdateSession } from './update-messages.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateRun } from './update-run.ts';
import type { UpdateOptions, UpdateVerdict } from './update-options.ts';
import { ProgressReport } from './update-progress.ts';
import { waitForVerdict } from './verdict.ts';

export type { ReleaseFacts, UpdateOptions, UpdateVerdict } from './update-options.ts';
export { UpdateError } from './update-error.ts';
export { cancelScheduledReboot, type ScheduledUpdate, scheduledRebootTime, type VerdictOptions, waitForScheduledVerdict } from './apply-later.ts';
export type { UpdatePhase, UpdateProgress } from './update-progress.ts';

export class DeviceUpdate {
  private readonly update: UpdateRun;

  constructor(options: UpdateOptions) {
    const progress = new ProgressReport(options);
    const link = new DeviceLink(options, progress);
    const throttle = options.throttleKiBps ? new Throttle(options.throttleKiBps) : undefined;
    const retries = new Retries(options, link, progress);
    // The device document is the first thing run() reads; nothing looks at it before.
    this.update = { options, link, progress, retries, throttle, device: undefined as unknown as DeviceDocument, digestRetried: false };
  }

  /**
   * Runs the whole update and returns the device's verdict; throws DeviceRefusal or UpdateError otherwise. With
   * `applyAt`, the verdict comes after the scheduled reboot.
   */
  async run(): Promise<UpdateVerdict> {
    const run = this.update;
    if (run.options.applyAt) return waitForScheduledVerdict(run.options, await this.schedule(), run.progress);
    return this.committed(async (session) => {
      await run.retries.retrying('rebooting', () => rebootDevice(run, session));
      const verdict = await waitForVerdict(run, session);
      run.progress.report({ phase: 'done' });
      return verdict;
    });
  }

  /**
   * Sends and commits the image now and has the device reboot into it at `applyAt` (docs/protocol.md §5.1); returns
   * once the device has scheduled it. waitForScheduledVerdict() then waits for the verdict, now or after a reload.
   */
  async schedule(): Promise<ScheduledUpdate> {
    const run = this.update;
    const applyAt = run.options.applyAt;
    if (!applyAt) throw new UpdateError('Scheduling an update needs the time to apply it (applyAt).');
    secondsUntil(applyAt);
    return this.committed((session) => run.retries.retrying('scheduling', () => scheduleReboot(run, session, applyAt)));
  }

  /** Reads the device, sends the image from the device's offset and commits it; then `after` runs on the committed session. */
  private async committed<T>(after: (session: UpdateSession) => Promise<T>): Promise<T> {
    const run = this.update;
    const { link, progress, retries } = run;
    try {
      run.device = await retries.retrying('reading', () => link.readDevice());
      if (!run.device.protocol.versions.includes(PROTOCOL_VERSION)) {
        throw new DeviceRefusal(400, {
          code: 'unsupported-protocol',
          message: `The device speaks FieldFlash LAN protocol ${run.device.protocol.versions.join(', ')}; this client speaks ${PROTOCOL_VERSION}. Update the client or the agent.`,
          supported: run.device.protocol.versions,
        });
      }
      refuseOtherProduct(run.options.release.product, run.device);
      if (run.options.applyAt) checkSchedulable(run.device);
      let session = await retries.retrying('offering', () => offerUpdate(run));
      const image = imageFor(run, session);
      progress.report({ phase: 'sending', sha256: session.sha256, slot: session.slot, size: session.size, offset: session.offset });
      while (true) {
        session = await sendImage(run, session, image);
        const committed = await retries.retrying('committing', () => commitImage(run, session));
        if (committed) break;
        session = await retries.retrying('offering', () => offerUpdate(run));
      }
      link.closeLink();
      return await after(session);
    } finally {
      link.close();
    }
  }
}

/**
 * A release of another product is refused before a byte is sent, with the code the device would give
 * (docs/protocol.md §4.1). A release that names no product is left to the device's other checks.
 */
function refuseOtherProduct(product: string | undefined, device: DeviceDocument): void {
  if (product === undefined || sameName(product, device.product)) return;
  throw new DeviceRefusal(409, {
    code: 'incompatible-product',
    message: `This is a release of ${product}; the device runs ${device.product}. Pick a release of ${device.product}.`,
    device: device.product,
    image: product,
  });
}

/** Updates one device and returns its verdict (with `applyAt`, after the device's scheduled reboot). */
export function updateDevice(options: UpdateOptions): Promise<UpdateVerdict> {
  return new DeviceUpdate(options).run();
}

/** Sends and commits now; returns once the device has scheduled its reboot into the image at `options.applyAt`. */
export function scheduleUpdate(options: UpdateOptions & { applyAt: Date }): Promise<ScheduledUpdate> {
  return new DeviceUpdate(options).schedule();
}
