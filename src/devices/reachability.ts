// Whether each paired device answers: checked when the Devices view opens and on demand. A check always ends, in
// an answer or in words saying which address did not answer; it never spins on.
import { recordDeviceAnswer, type PairedDevice } from '../store/index.ts';
import { SharedState } from '../shared-state.ts';
import { describeProblem, type DeviceProblem } from './device-problems.ts';
import { readDeviceDocument } from './device-reading.ts';

export type Reachability =
  | { state: 'checking'; since: number }
  | { state: 'answered'; at: number }
  | { state: 'no-answer'; at: number; problem: DeviceProblem };

/** By device id. */
export const reachability = new SharedState<Readonly<Record<string, Reachability>>>({});

function set(id: string, value: Reachability): void {
  reachability.set({ ...reachability.get(), [id]: value });
}

/** A device that just answered in another exchange (pairing, an update) needs no check to say so. */
export function noteAnswer(id: string, at = Date.now()): void {
  set(id, { state: 'answered', at });
}

/** Reads the device's document; what it says is recorded with the time it answered. */
export async function checkDevice(device: PairedDevice): Promise<void> {
  if (reachability.get()[device.id]?.state === 'checking') return;
  set(device.id, { state: 'checking', since: Date.now() });
  try {
    const document = await readDeviceDocument(device.url);
    const at = Date.now();
    if (document.id !== device.id) {
      const problem: DeviceProblem = {
        kind: 'refused',
        message: `Another device answers at ${device.url} now (${document.product}, id ${document.id}).`,
        hint: 'Its address may have changed: add it again at its new address, or forget this one.',
      };
      set(device.id, { state: 'no-answer', at, problem });
      return;
    }
    await recordDeviceAnswer(device.id, document, 'http', at);
    set(device.id, { state: 'answered', at });
  } catch (error) {
    set(device.id, { state: 'no-answer', at: Date.now(), problem: describeProblem(error, device.url) });
  }
}

export function checkDevices(devices: readonly PairedDevice[]): void {
  for (const device of devices) void checkDevice(device);
}
