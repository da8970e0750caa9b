// Updating one paired device from the library: the release's image for the device's inactive slot, sent with the
// shared protocol client and the kept pairing key, registered as a running operation, ending on the device's own
// verdict after its test boot; or, sent now and applied later, after the reboot the device scheduled. The state
// lives here, not in a component, so leaving the view does not lose it. update-runs.ts decides when one starts.
import {
  DeviceRefusal, KeptKeySource, type PeerConnectionLike, planRelease, type ScheduledUpdate, scheduleUpdate, updateDevice, type UpdateOptions, type UpdateProgress, type UpdateVerdict,
} from '@fieldflash/protocol';
import { beginOperation } from '../operations.ts';
import { SharedState } from '../shared-state.ts';
import { releaseForInstall } from '../trust/install-check.ts';
import { addReportEntry, recordDeviceAnswer, recordUpdateInProgress, type PairedDevice, type UpdateInProgress } from '../store/index.ts';
import { clientId } from './client-id.ts';
import { describeProblem, type DeviceProblem } from './device-problems.ts';
import { earlierVerdict, type EarlierVerdict, lastUpdateMark } from './interrupted-update.ts';
import { noteAnswer } from './reachability.ts';
import { awaitScheduledVerdict } from './scheduled-verdict.ts';
import { RateMeter, type TransferRate } from './transfer-rate.ts';
import { updateTransport } from './transport-choice.ts';

/**
 * The phases a person sees: the client's finer ones folded into what the device is doing. `waiting` is before the
 * start, for a place under the concurrency limit; `scheduled` is committed, until the reboot the device scheduled.
 */
export type UpdateStage = 'waiting' | 'preparing' | 'sending' | 'verifying' | 'scheduled' | 'test-boot' | 'confirmed' | 'rolled-back' | 'failed';

/** The release an update sends, by library id, and its name for people ("FieldFlash Demo 1.0.0"). */
export interface UpdateTarget {
  id: string;
  name: string;
}

export interface DeviceUpdateState {
  release: UpdateTarget;
  /** Picked up again after the page that started it was reloaded or closed. */
  resumed: boolean;
  /** The device had finished it meanwhile: its verdict was read, nothing sent. */
  readBack?: boolean;
  stage: UpdateStage;
  /** The client's own phase and the device's offset, while it runs. */
  progress?: UpdateProgress;
  rate?: TransferRate;
  /** Why the client is trying a step again, while it waits. */
  retrying?: string;
  /** The device's verdict: the slot written, and for a rollback the health check's reason. */
  verdict?: { slot: string; version: string; reason?: string };
  problem?: DeviceProblem;
  /** Set when the technician confirmed sending an older version. */
  downgrade: boolean;
  /** While `waiting`: its place in line, 1 for the next to start, of how many wait. */
  queue?: { place: number; of: number };
  /** Send now, apply later: the time the technician chose (ms since the epoch). */
  applyAt?: number;
  /** From `scheduled` on: when the device reboots into the image, as it said (ms since the epoch, this laptop's clock). */
  appliesAt?: number;
}

/** What the technician asked for. */
export interface UpdateRequest {
  downgrade: boolean;
  resumed?: boolean;
  /** Send and commit now; the device reboots into the image at this time (ms since the epoch). */
  applyAt?: number;
}

/** By device id. */
export const deviceUpdates = new SharedState<Readonly<Record<string, DeviceUpdateState>>>({});

export function isRunning(state: DeviceUpdateState | undefined): boolean {
  return state !== undefined && state.stage !== 'confirmed' && state.stage !== 'rolled-back' && state.stage !== 'failed';
}

function stageOf(phase: UpdateProgress['phase'], previous: UpdateStage): UpdateStage {
  switch (phase) {
    case 'sending':
      return 'sending';
    case 'committing':
    case 'scheduling':
      return 'verifying';
    case 'scheduled':
      return 'scheduled';
    case 'rebooting':
    case 'waiting':
    case 'done':
      return 'test-boot';
    default:
      // Reading, logging in, offering again or retrying: the person still sees the step the update is in.
      return previous;
  }
}

/**
 * Runs the update; its state is in deviceUpdates[device.id], and the device's record says one runs until it ends
 * here, so one cut short by a reload is picked up again (update-runs.ts). Resolves when the device gave its
 * verdict or the update failed. `sent` is called once the link is no longer needed: after the verdict, or as soon
 * as the device has scheduled its reboot, so a place under the concurrency limit is not held for hours.
 */
export async function runDeviceUpdate(device: PairedDevice, target: UpdateTarget, options: UpdateRequest, sent: () => void = () => {}): Promise<void> {
  const before = deviceUpdates.get()[device.id];
  if (isRunning(before) && before!.stage !== 'waiting') return;
  const { name } = target;
  const interrupted = options.resumed ? device.updateInProgress : undefined;
  let state: DeviceUpdateState = {
    release: target, resumed: options.resumed ?? false, stage: 'preparing', downgrade: options.downgrade, ...(options.applyAt !== undefined ? { applyAt: options.applyAt } : {}),
  };
  const publish = (change: Partial<DeviceUpdateState>) => {
    state = { ...state, ...change };
    deviceUpdates.set({ ...deviceUpdates.get(), [device.id]: state });
  };
  publish({});
  // An update waiting for its scheduled reboot holds nothing a reload could cut short: it is not a running operation.
  const end = interrupted?.scheduled ? () => {} : beginOperation(`Updating the device at ${new URL(device.url).host} to ${name}`);
  const meter = new RateMeter();
  const startedAt = interrupted?.scheduled ? interrupted.startedAt : Date.now();
  const transport = updateTransport(device);
  let toVersion = interrupted?.scheduled?.version ?? '';
  let record: UpdateInProgress | undefined = interrupted;
  try {
    if (!options.resumed) {
      const mark = lastUpdateMark(device.document);
      record = {
        releaseId: target.id, releaseName: name, downgrade: options.downgrade, startedAt: Date.now(),
        ...(mark ? { lastUpdateBefore: mark } : {}), ...(options.applyAt !== undefined ? { applyAt: options.applyAt } : {}),
      };
      await recordUpdateInProgress(device.id, record);
    }
    if (interrupted?.scheduled) {
      await ended(await waitScheduled(interrupted.scheduled));
      return;
    }
    // The library copy's digests and the release's trust are checked again right before anything is sent.
    const release = await releaseForInstall(target.id);
    if (!release) throw new Error(`${name} is no longer in the library.`);
    toVersion = release.version;
    const earlier = interrupted ? await earlierVerdict(device.url, release, interrupted, { waitWhilePending: false }) : undefined;
    if (earlier) {
      await readBack(earlier);
      return;
    }
    const plan = planRelease(release, device.document);
    const update: UpdateOptions = {
      url: device.url,
      transport,
      ...(device.throttleKiBps ? { throttleKiBps: device.throttleKiBps } : {}),
      newPeerConnection: () => new RTCPeerConnection() as unknown as PeerConnectionLike,
      keys: new KeptKeySource(device.pairingKey),
      clientId: clientId(),
      release: plan.release,
      image: plan.image,
      // A signed release's manifest and signature go with the offer, for a device that verifies them (§4.9).
      ...(plan.signedRelease ? { signedRelease: plan.signedRelease } : {}),
      force: options.downgrade,
      onProgress: (progress) => {
        const change: Partial<DeviceUpdateState> = { progress, stage: stageOf(progress.phase, state.stage) };
        if (progress.phase === 'sending' && progress.size > 0) change.rate = meter.add(progress.offset, progress.size);
        change.retrying = progress.phase === 'retrying' ? progress.reason : undefined;
        publish(change);
      },
    };
    if (options.applyAt === undefined) {
      try {
        await ended(await updateDevice(update));
      } catch (error) {
        // Picked up after a reload between the commit and the reboot, while the device was already in its test boot
        // (which answers `busy`): what is left is to read its verdict.
        const afterwards = interrupted && error instanceof DeviceRefusal && error.code === 'busy' ? await earlierVerdict(device.url, release, interrupted, { waitWhilePending: true }) : undefined;
        if (!afterwards) throw error;
        await readBack(afterwards);
      }
      return;
    }
    const scheduled: ScheduledUpdate = await scheduleUpdate({ ...update, applyAt: new Date(options.applyAt) });
    const kept = {
      sha256: scheduled.sha256, version: scheduled.version, slot: scheduled.slot, appliesAt: scheduled.appliesAt.getTime(),
      sentBytes: state.progress?.sentBytes ?? 0, fromVersion: device.document.version,
    };
    await recordUpdateInProgress(device.id, { ...record!, scheduled: kept });
    await ended(await waitScheduled(kept));
  } catch (error) {
    publish({ stage: 'failed', problem: describeProblem(error, device.url), retrying: undefined });
  } finally {
    sent();
    // Ended here, with a verdict or a failure shown: nothing is left to pick up after a reload.
    await recordUpdateInProgress(device.id, undefined).catch(() => undefined);
    // The field report gets every end, read back or sent, confirmed, rolled back or failed. A report that cannot be
    // written must not turn the device's verdict into a failure: the device card still shows the outcome.
    await addReportEntry({
      deviceId: device.id,
      address: device.url,
      product: device.document.product,
      fromVersion: interrupted?.scheduled?.fromVersion ?? device.document.version,
      toVersion,
      transport: state.readBack ? 'http' : transport,
      bytesSent: state.progress?.sentBytes ?? interrupted?.scheduled?.sentBytes ?? 0,
      startedAt,
      endedAt: Date.now(),
      result: state.stage === 'confirmed' || state.stage === 'rolled-back' ? state.stage : 'failed',
      ...(state.verdict?.reason !== undefined ? { reason: state.verdict.reason } : state.problem ? { reason: state.problem.message } : {}),
      downgradeConfirmed: options.downgrade,
    }).catch(() => undefined);
    end();
  }

  /** The device had got further than the page saw: its verdict is read back, nothing is sent. */
  async function readBack(earlier: EarlierVerdict): Promise<void> {
    await recordDeviceAnswer(device.id, earlier.document, 'http');
    noteAnswer(device.id);
    publish({ stage: earlier.outcome, readBack: true, verdict: { slot: earlier.slot, version: earlier.document.lastUpdate!.version, ...(earlier.reason !== undefined ? { reason: earlier.reason } : {}) } });
  }

  async function ended(verdict: UpdateVerdict): Promise<void> {
    await recordDeviceAnswer(device.id, verdict.device, transport);
    noteAnswer(device.id);
    publish({
      stage: verdict.outcome === 'confirmed' ? 'confirmed' : 'rolled-back',
      verdict: { slot: verdict.slot, version: verdict.version, ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}) },
      retrying: undefined,
    });
  }

  /** The image is committed and the device reboots into it at its time: the link and the operation are let go. */
  function waitScheduled(kept: NonNullable<UpdateInProgress['scheduled']>): Promise<UpdateVerdict> {
    // After a reload there is no progress of this page's own: the slot and the bytes sent come from the record.
    const progress = state.progress ?? { phase: 'scheduled', offset: 0, size: 0, sentBytes: kept.sentBytes, slot: kept.slot };
    publish({ stage: 'scheduled', appliesAt: kept.appliesAt, progress, retrying: undefined });
    sent();
    end();
    const scheduled: ScheduledUpdate = { ...kept, appliesAt: new Date(kept.appliesAt), deviceAt: '', device: device.document };
    return awaitScheduledVerdict(device.id, {
      url: device.url,
      clientId: clientId(),
      onProgress: (progress) => publish({ stage: stageOf(progress.phase, state.stage), ...(progress.appliesAt !== undefined ? { appliesAt: progress.appliesAt } : {}) }),
    }, scheduled);
  }
}

/** Clears a finished update's result from view. */
export function dismissUpdate(deviceId: string): void {
  const { [deviceId]: _gone, ...rest } = deviceUpdates.get();
  deviceUpdates.set(rest);
}
