// Pushing a release to a device in compatibility mode from the library: its app image goes up the way the device's
// system takes it, with the password typed for this push alone, and the push ends on the version the device comes
// back with. The state lives here, not in a component, so leaving the view does not lose it; the field report gets
// every end. Unlike a protocol update, nothing can be picked up after a reload: these systems have no resume.
import { type CompatPhase, type CompatPushResult, compatImageOf, pushCompat } from '@fieldflash/protocol';
import { beginOperation } from '../operations.ts';
import { SharedState } from '../shared-state.ts';
import { releaseForInstall } from '../trust/install-check.ts';
import { addReportEntry, recordCompatAnswer, type CompatDevice } from '../store/index.ts';
import { noteCompatAnswer } from './compat-check.ts';
import { compatSend, compatVersionReader, describeCompatProblem } from './compat-reading.ts';
import type { DeviceProblem } from './device-problems.ts';
import { RateMeter, type TransferRate } from './transfer-rate.ts';

/** Which release, and which of its builds, by library id and index. */
export interface CompatTarget {
  releaseId: string;
  buildIndex: number;
  /** "FieldFlash Demo 1.0.0". */
  name: string;
}

export type CompatStage = 'preparing' | CompatPhase | 'done' | 'failed';

export interface CompatPushState {
  target: CompatTarget;
  stage: CompatStage;
  sentBytes: number;
  size: number;
  rate?: TransferRate;
  result?: CompatPushResult;
  problem?: DeviceProblem;
}

/** By device id. */
export const compatPushes = new SharedState<Readonly<Record<string, CompatPushState>>>({});

export function isPushing(state: CompatPushState | undefined): boolean {
  return state !== undefined && state.stage !== 'done' && state.stage !== 'failed';
}

/** Runs the push; `password` goes to the device in this push's requests and nowhere else. */
export async function runCompatPush(device: CompatDevice, target: CompatTarget, password: string): Promise<void> {
  if (isPushing(compatPushes.get()[device.id])) return;
  let state: CompatPushState = { target, stage: 'preparing', sentBytes: 0, size: 0 };
  const publish = (change: Partial<CompatPushState>) => {
    state = { ...state, ...change };
    compatPushes.set({ ...compatPushes.get(), [device.id]: state });
  };
  publish({});
  const end = beginOperation(`Pushing ${target.name} to the device at ${new URL(device.url).host}`);
  const meter = new RateMeter();
  const startedAt = Date.now();
  let product = target.name;
  let toVersion = '';
  try {
    const release = await releaseForInstall(target.releaseId);
    if (!release) throw new Error(`${target.name} is no longer in the library.`);
    product = release.product;
    toVersion = release.version;
    const build = release.builds[target.buildIndex];
    if (!build) throw new Error(`${target.name} no longer has that build.`);
    const image = compatImageOf(release, build);
    const readVersion = compatVersionReader(device.url);
    const result = await pushCompat({
      kind: device.kind,
      url: device.url,
      user: device.user,
      ...(password !== '' ? { password } : {}),
      image: image.file.data,
      filename: image.file.path.split('/').pop() ?? 'firmware.bin',
      version: release.version,
      send: compatSend(device.url),
      readVersion,
      onProgress: (progress) => {
        const change: Partial<CompatPushState> = { stage: progress.phase, size: progress.size };
        if (progress.phase === 'sending' || progress.phase === 'waiting') {
          change.sentBytes = progress.sentBytes;
          if (progress.phase === 'sending' && progress.size > 0) change.rate = meter.add(progress.sentBytes, progress.size);
        }
        publish(change);
      },
    });
    await recordCompatAnswer(device.id, result.version).catch(() => undefined);
    noteCompatAnswer(device.id, result.version);
    publish({ stage: 'done', result });
  } catch (error) {
    publish({ stage: 'failed', problem: await describeCompatProblem(error, device.url, device.kind) });
  } finally {
    // Every end goes in the field report; the password is in no part of it.
    const result = state.result;
    await addReportEntry({
      deviceId: device.id,
      address: device.url,
      product,
      fromVersion: result?.before ?? device.lastSeen?.version ?? '',
      toVersion,
      transport: device.kind,
      bytesSent: state.sentBytes,
      startedAt,
      endedAt: Date.now(),
      result: !result ? 'failed' : result.outcome === 'old-version' ? 'failed' : result.outcome,
      ...(result ? { reason: result.reason } : state.problem ? { reason: state.problem.message } : {}),
      downgradeConfirmed: false,
    }).catch(() => undefined);
    end();
  }
}

/** Clears a finished push's result from view. */
export function dismissCompatPush(deviceId: string): void {
  const { [deviceId]: _gone, ...rest } = compatPushes.get();
  compatPushes.set(rest);
}
