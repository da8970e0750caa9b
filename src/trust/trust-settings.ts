// The keys and the unsigned-release policy, read once for the whole window and read again whenever they change
// (here or in another window), so every verdict on screen follows an imported or revoked key at once.
import { useEffect } from 'preact/hooks';
import { listTrustedKeys, listUnsignedAllowances, subscribeTrust, type StoredTrustedKey, type UnsignedAllowance } from '../store/index.ts';
import { SharedState, useSharedState } from '../shared-state.ts';

export interface TrustSettings {
  keys: StoredTrustedKey[];
  allowances: UnsignedAllowance[];
  /** Grows with every change: verdicts computed under an older one are stale. */
  generation: number;
}

export type TrustSettingsState = { state: 'loading' } | ({ state: 'ready' } & TrustSettings) | { state: 'failed'; message: string };

const settings = new SharedState<TrustSettingsState>({ state: 'loading' });
let generation = 0;
let watchers = 0;
let stop: (() => void) | undefined;

async function read(): Promise<void> {
  const mine = ++generation;
  try {
    const [keys, allowances] = await Promise.all([listTrustedKeys(), listUnsignedAllowances()]);
    if (mine === generation) settings.set({ state: 'ready', keys, allowances, generation: mine });
  } catch (error) {
    if (mine === generation) settings.set({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

function watch(): () => void {
  if (watchers++ === 0) {
    stop = subscribeTrust(() => void read());
    void read();
  }
  return () => {
    if (--watchers > 0) return;
    stop?.();
    stop = undefined;
    settings.set({ state: 'loading' });
  };
}

export function useTrustSettings(): TrustSettingsState {
  const state = useSharedState(settings);
  useEffect(watch, []);
  return state;
}

export function unsignedAllowed(settings: Pick<TrustSettings, 'allowances'>, product: string): boolean {
  return settings.allowances.some((a) => a.product === product);
}
