// A release's trust verdict for whatever shows it (a library row, the Flash view, a device card): computed once per
// release and per change of keys or policy, and computed again live when either changes.
import { useEffect, useState } from 'preact/hooks';
import type { ReleaseTrust } from '@fieldflash/bundle/trust';
import { subscribeLibrary, type ReleaseSummary } from '../store/index.ts';
import { useTrustSettings, type TrustSettings } from './trust-settings.ts';

export type TrustReading = { state: 'reading' } | { state: 'ready'; trust: ReleaseTrust } | { state: 'failed'; message: string };

// The signature checks load with the first verdict wanted, keeping them out of the first page load.
const loadVerdicts = () => import('./verdicts.ts');

const cache = new Map<string, Promise<ReleaseTrust>>();
let cachedGeneration = -1;
// A release's id does not cover its signature file: one deleted and imported again, signed this time, is judged anew.
subscribeLibrary((change) => {
  if (change.kind !== 'added') cache.clear();
});

/**
 * What a verdict is computed from, besides keys and policy: the release and its signature file. A release's id does
 * not cover its signature, so a stored unsigned release that takes its publisher's signature is judged anew.
 */
export function trustKey(release: ReleaseSummary): string {
  return `${release.id}:${release.files.find((f) => f.role === 'signature')?.sha256 ?? ''}`;
}

function verdict(release: ReleaseSummary, settings: TrustSettings): Promise<ReleaseTrust> {
  if (settings.generation !== cachedGeneration) {
    cache.clear();
    cachedGeneration = settings.generation;
  }
  const key = trustKey(release);
  let found = cache.get(key);
  if (!found) {
    found = loadVerdicts().then((m) => m.verdictOf(release, settings));
    cache.set(key, found);
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
    // The settings object changes with its generation; the release with its id and signature.
  }, [release && trustKey(release), generation, settings.state]);
  return reading;
}

/**
 * Every release's verdict at once, for a choice made over many (Update selected): undefined until all are read, so
 * the choice is made on verdicts that match the keys and policy of the moment.
 */
export function useReleaseVerdicts(releases: readonly ReleaseSummary[] | undefined): ReadonlyMap<string, ReleaseTrust | undefined> | undefined {
  const settings = useTrustSettings();
  const [read, setRead] = useState<{ key: string; verdicts: Map<string, ReleaseTrust | undefined> } | undefined>(undefined);
  const generation = settings.state === 'ready' ? settings.generation : -1;
  const key = `${generation}:${releases?.map(trustKey).join(',') ?? ''}`;
  useEffect(() => {
    if (!releases || settings.state !== 'ready') return;
    let current = true;
    // A verdict that cannot be read counts as none: the release is left out, never let through.
    const each = releases.map((r) => verdict(r, settings).then((trust) => [r.id, trust] as const, () => [r.id, undefined] as const));
    void Promise.all(each).then((entries) => current && setRead({ key, verdicts: new Map(entries) }));
    return () => {
      current = false;
    };
  }, [key]);
  return read?.key === key ? read.verdicts : undefined;
}
