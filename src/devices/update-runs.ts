// When each device's update starts: every update asked for in the Devices view, one by one or many at once, and
// every one picked up after a reload, goes through one queue under the view's concurrency limit. A device waiting
// its turn shows "Waiting (n of m)"; while any waits, the running-operations list holds the page, so an app update
// cannot drop the line. An update the device applies later leaves the line once its reboot is scheduled.
import { beginOperation } from '../operations.ts';
import { getPairedDevice, keepConcurrencyLimit, type PairedDevice, readConcurrencyLimit } from '../store/index.ts';
import { deviceUpdates, isRunning, runDeviceUpdate, type UpdateRequest, type UpdateTarget } from './device-update.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, type QueueState, UpdateQueue } from './update-queue.ts';

export { DEFAULT_LIMIT, MAX_LIMIT };

export const updateQueue = new UpdateQueue<string>(readConcurrencyLimit(DEFAULT_LIMIT, MAX_LIMIT));

let endWaiting: (() => void) | undefined;

updateQueue.subscribe((state: QueueState<string>) => {
  const updates = { ...deviceUpdates.get() };
  let changed = false;
  state.waiting.forEach((id, i) => {
    const update = updates[id];
    const queue = { place: i + 1, of: state.waiting.length };
    if (update?.stage === 'waiting' && (update.queue?.place !== queue.place || update.queue.of !== queue.of)) {
      updates[id] = { ...update, queue };
      changed = true;
    }
  });
  if (changed) deviceUpdates.set(updates);
  if (state.waiting.length > 0) endWaiting ??= beginOperation('Device updates waiting for their turn');
  else {
    endWaiting?.();
    endWaiting = undefined;
  }
});

/** Queues the device's update; it starts at once when fewer than the limit run. Nothing happens while it has one. */
export function requestDeviceUpdate(device: PairedDevice, target: UpdateTarget, request: UpdateRequest): void {
  if (updateQueue.has(device.id) || isRunning(deviceUpdates.get()[device.id])) return;
  deviceUpdates.set({
    ...deviceUpdates.get(),
    [device.id]: {
      release: target, resumed: request.resumed ?? false, stage: 'waiting', downgrade: request.downgrade, ...(request.applyAt !== undefined ? { applyAt: request.applyAt } : {}),
    },
  });
  updateQueue.enqueue(device.id, async () => {
    // Read again when its turn comes: its settings (transport, speed limit) may have changed while it waited.
    const current = await getPairedDevice(device.id).catch(() => device);
    if (!current) return dropUpdate(device.id);
    await new Promise<void>((resolve) => void runDeviceUpdate(current, target, request, resolve).finally(resolve));
  });
}

function dropUpdate(deviceId: string): void {
  const { [deviceId]: _gone, ...rest } = deviceUpdates.get();
  deviceUpdates.set(rest);
}

/** Takes a device out of line before its update starts; its card shows no update again. */
export function withdrawDeviceUpdate(deviceId: string): void {
  if (updateQueue.withdraw(deviceId)) dropUpdate(deviceId);
}

export function setConcurrencyLimit(limit: number): void {
  updateQueue.setLimit(limit);
  keepConcurrencyLimit(limit);
}

/**
 * Picks up the updates that a reload or a closed laptop cut short: the device continues from its own offset. One
 * already committed and waiting for its scheduled reboot only waits for the verdict, outside the line.
 */
export function resumeInterruptedUpdates(devices: readonly PairedDevice[]): void {
  for (const device of devices) {
    const interrupted = device.updateInProgress;
    if (!interrupted || updateQueue.has(device.id) || isRunning(deviceUpdates.get()[device.id])) continue;
    const target = { id: interrupted.releaseId, name: interrupted.releaseName };
    const request: UpdateRequest = { downgrade: interrupted.downgrade, resumed: true, ...(interrupted.applyAt !== undefined ? { applyAt: interrupted.applyAt } : {}) };
    if (interrupted.scheduled) void runDeviceUpdate(device, target, request);
    else requestDeviceUpdate(device, target, request);
  }
}
