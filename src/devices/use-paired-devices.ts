// The paired devices, re-read whenever they change (here or in another window).
import { useEffect, useState } from 'preact/hooks';
import { listPairedDevices, subscribePairedDevices, type PairedDevice } from '../store/index.ts';

export type PairedDevicesState = { state: 'loading' } | { state: 'ready'; devices: PairedDevice[] } | { state: 'failed'; message: string };

export function usePairedDevices(): PairedDevicesState {
  const [devices, setDevices] = useState<PairedDevicesState>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    const load = () =>
      listPairedDevices().then(
        (list) => current && setDevices({ state: 'ready', devices: list }),
        (error: unknown) => current && setDevices({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    void load();
    const unsubscribe = subscribePairedDevices(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return devices;
}
