// Whether each device in compatibility mode answers, and which version it reports, checked when the view opens
// and on demand. A check always ends: in a version, in "answers, reports none", or in words naming the address.
import { LinkError } from '@fieldflash/protocol';
import { useEffect, useState } from 'preact/hooks';
import { SharedState } from '../shared-state.ts';
import { listCompatDevices, recordCompatAnswer, subscribeCompatDevices, type CompatDevice } from '../store/index.ts';
import { compatVersionReader, describeCompatProblem } from './compat-reading.ts';
import type { DeviceProblem } from './device-problems.ts';

export type CompatReach =
  | { state: 'checking' }
  | { state: 'answered'; at: number; version?: string }
  | { state: 'no-answer'; at: number; problem: DeviceProblem };

/** By device id. */
export const compatReach = new SharedState<Readonly<Record<string, CompatReach>>>({});

function set(id: string, value: CompatReach): void {
  compatReach.set({ ...compatReach.get(), [id]: value });
}

/** A device that just answered in a push needs no check to say so, nor which version it reports. */
export function noteCompatAnswer(id: string, version: string | undefined, at = Date.now()): void {
  set(id, { state: 'answered', at, ...(version !== undefined ? { version } : {}) });
}

export async function checkCompatDevice(device: CompatDevice): Promise<void> {
  if (compatReach.get()[device.id]?.state === 'checking') return;
  set(device.id, { state: 'checking' });
  try {
    const reported = await compatVersionReader(device.url)();
    const at = Date.now();
    await recordCompatAnswer(device.id, reported?.version, at);
    set(device.id, { state: 'answered', at, ...(reported ? { version: reported.version } : {}) });
  } catch (error) {
    const problem =
      error instanceof LinkError
        ? { kind: 'no-answer' as const, message: `No answer from ${device.url}.`, hint: 'Check that the device is powered and on the same network as this laptop, and that the address is right.' }
        : await describeCompatProblem(error, device.url, device.kind);
    set(device.id, { state: 'no-answer', at: Date.now(), problem });
  }
}

export type CompatDevicesState = { state: 'loading' } | { state: 'ready'; devices: CompatDevice[] } | { state: 'failed'; message: string };

/** The devices in compatibility mode, re-read whenever they change; each is checked when the view first lists it. */
export function useCompatDevices(): CompatDevicesState {
  const [devices, setDevices] = useState<CompatDevicesState>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    const checked = new Set<string>();
    const load = () =>
      listCompatDevices().then(
        (list) => {
          if (!current) return;
          setDevices({ state: 'ready', devices: list });
          for (const device of list.filter((d) => !checked.has(d.id))) {
            checked.add(device.id);
            void checkCompatDevice(device);
          }
        },
        (error: unknown) => current && setDevices({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    void load();
    const unsubscribe = subscribeCompatDevices(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return devices;
}
