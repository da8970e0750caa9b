// Updating one paired device from the library: the release's image for the device's inactive slot, sent with the
// shared protocol client and the kept pairing key, registered as a running operation, ending on the device's own
// verdict after its test boot. The state lives here, not in a component, so leaving the view does not lose it.
import { KeptKeySource, type PeerConnectionLike, planRelease, updateDevice, type UpdateProgress } from '@fieldflash/protocol';
import { beginOperation } from '../operations.ts';
import { SharedState } from '../shared-state.ts';
import { addReportEntry, getRelease, recordDeviceAnswer, recordUpdateInProgress, type PairedDevice } from '../store/index.ts';
import { clientId } from './client-id.ts';
import { describeProblem, type DeviceProblem } from './device-problems.ts';
import { earlierVerdict, lastUpdateMark } from './interrupted-update.ts';
import { noteAnswer } from './reachability.ts';
import { RateMeter, type TransferRate } from './transfer-rate.ts';
import { updateTransport } from './transport-choice.ts';

/** The phases a person sees: the client's finer ones folded into what the device is doing. */
export type UpdateStage = 'preparing' | 'sending' | 'verifying' | 'test-boot' | 'confirmed' | 'rolled-back' | 'failed';

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
      return 'verifying';
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
 * here, so one cut short by a reload is picked up again (resumeInterruptedUpdates). Resolves when the device gave its
 * verdict or the update failed.
 */
export async function runDeviceUpdate(device: PairedDevice, target: UpdateTarget, options: { downgrade: boolean; resumed?: boolean }): Promise<void> {
  if (isRunning(deviceUpdates.get()[device.id])) return;
  const { name } = target;
  let state: DeviceUpdateState = { release: target, resumed: options.resumed ?? false, stage: 'preparing', downgrade: options.downgrade };
  const publish = (change: Partial<DeviceUpdateState>) => {
    state = { ...state, ...change };
    deviceUpdates.set({ ...deviceUpdates.get(), [device.id]: state });
  };
  publish({});
  const end = beginOperation(`Updating the device at ${new URL(device.url).host} to ${name}`);
  const meter = new RateMeter();
  const startedAt = Date.now();
  const transport = updateTransport(device);
  let toVersion = '';
  try {
    if (!options.resumed) {
      const before = lastUpdateMark(device.document);
      await recordUpdateInProgress(device.id, {
        releaseId: target.id, releaseName: name, downgrade: options.downgrade, startedAt: Date.now(), ...(before ? { lastUpdateBefore: before } : {}),
      });
    }
    const release = await getRelease(target.id);
    if (!release) throw new Error(`${name} is no longer in the library.`);
    toVersion = release.version;
    const earlier = options.resumed && device.updateInProgress ? await earlierVerdict(device.url, release, device.updateInProgress) : undefined;
    if (earlier) {
      await recordDeviceAnswer(device.id, earlier.document, 'http');
      noteAnswer(device.id);
      publish({ stage: earlier.outcome, readBack: true, verdict: { slot: earlier.slot, version: earlier.document.lastUpdate!.version, ...(earlier.reason !== undefined ? { reason: earlier.reason } : {}) } });
      return;
    }
    const plan = planRelease(release, device.document);
    const verdict = await updateDevice({
      url: device.url,
      transport,
      ...(device.throttleKiBps ? { throttleKiBps: device.throttleKiBps } : {}),
      newPeerConnection: () => new RTCPeerConnection() as unknown as PeerConnectionLike,
      keys: new KeptKeySource(device.pairingKey),
      clientId: clientId(),
      release: plan.release,
      image: plan.image,
      force: options.downgrade,
      onProgress: (progress) => {
        const change: Partial<DeviceUpdateState> = { progress, stage: stageOf(progress.phase, state.stage) };
        if (progress.phase === 'sending' && progress.size > 0) change.rate = meter.add(progress.offset, progress.size);
        change.retrying = progress.phase === 'retrying' ? progress.reason : undefined;
        publish(change);
      },
    });
    await recordDeviceAnswer(device.id, verdict.device, transport);
    noteAnswer(device.id);
    publish({
      stage: verdict.outcome === 'confirmed' ? 'confirmed' : 'rolled-back',
      verdict: { slot: verdict.slot, version: verdict.version, ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}) },
      retrying: undefined,
    });
  } catch (error) {
    publish({ stage: 'failed', problem: describeProblem(error, device.url), retrying: undefined });
  } finally {
    // Ended here, with a verdict or a failure shown: nothing is left to pick up after a reload.
    await recordUpdateInProgress(device.id, undefined).catch(() => undefined);
    // The field report gets every end, read back or sent, confirmed, rolled back or failed. A report that cannot be
    // written must not turn the device's verdict into a failure: the device card still shows the outcome.
    await addReportEntry({
      deviceId: device.id,
      address: device.url,
      product: device.document.product,
      fromVersion: device.document.version,
      toVersion,
      transport: state.readBack ? 'http' : transport,
      bytesSent: state.progress?.sentBytes ?? 0,
      startedAt,
      endedAt: Date.now(),
      result: state.stage === 'confirmed' || state.stage === 'rolled-back' ? state.stage : 'failed',
      ...(state.verdict?.reason !== undefined ? { reason: state.verdict.reason } : state.problem ? { reason: state.problem.message } : {}),
      downgradeConfirmed: options.downgrade,
    }).catch(() => undefined);
    end();
  }
}

/** Picks up the updates that a reload or a closed laptop cut short: the device continues from its own offset. */
export function resumeInterruptedUpdates(devices: readonly PairedDevice[]): void {
  for (const device of devices) {
    const interrupted = device.updateInProgress;
    if (!interrupted || isRunning(deviceUpdates.get()[device.id])) continue;
    void runDeviceUpdate(device, { id: interrupted.releaseId, name: interrupted.releaseName }, { downgrade: interrupted.downgrade, resumed: true });
  }
}

/** Clears a finished update's result from view. */
export function dismissUpdate(deviceId: string): void {
  const { [deviceId]: _gone, ...rest } = deviceUpdates.get();
  deviceUpdates.set(rest);
}
