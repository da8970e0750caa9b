// A release's trust verdict for whatever shows it (a library row, the Flash view, a device card): computed once per
// release and per change of keys or policy, and computed again live when either changes.
import { useEffect, useState } from 'preact/hooks';
import type { ReleaseTrust } from '@fieldflash/bundle/trust';
import type { ReleaseSummary } from '../store/index.ts';
import { useTrustSettings, type TrustSettings } from './trust-settings.ts';

export type TrustReading = { state: 'reading' } | { state: 'ready'; trust: ReleaseTrust } | { state: 'failed'; message: string };

// The signature checks load with the first verdict wanted, keeping them out of the first page load.
const loadVerdicts = () => import('./verdicts.ts');

const cache = new Map<string, Promise<ReleaseTrust>>();
let cachedGeneration = -1;

function verdict(release: ReleaseSummary, settings: TrustSettings): Promise<ReleaseTrust> {
  if (settings.generation !== cachedGeneration) {
    cache.clear();
    cachedGeneration = settings.generation;
  }
  let found = cache.get(release.id);
  if (!found) {
    found = loadVerdicts().then((m) => m.verdictOf(release, settings));
    cache.set(release.id, found);
  }
  return found;
}

export function useReleaseTrust(release: ReleaseSummary | undefined): TrustReading {
  const settings = useTrustSettings();
  const [reading, setReading] = useState<TrustReading>({ state: 'reading' });
  const generation = settings.state === 'ready' ? settings.generation : -1;
  useEffect(() => {
    if (!release) return;
    if (settings.state === 'failed') return setReading({ state: 'failed', message: settings.message });
    if (settings.state !== 'ready') return;
    let current = true;
    verdict(release, settings).then(
      (trust) => current && setReading({ state: 'ready', trust }),
      (error: unknown) => current && setReading({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
    // The settings object changes with its generation; the release with its id.
  }, [release?.id, generation, settings.state]);
  return reading;
}
