// What a fresh fetch of a web release brings, compared with the releases already kept from the same address:
// new versions to offer (newest first by SemVer), and releases whose bytes changed under an unchanged version.
import semver from 'semver';
import type { Release } from '../release.ts';
import { RemoteError } from './remote-error.ts';

/** A release already in the library, as far as the comparison needs it. */
export interface KnownRelease {
  id: string;
  product: string;
  version: string;
  files: ReadonlyArray<{ path: string; sha256: string }>;
  /** When it was fetched (ms since the epoch), for messages. */
  fetchedAt?: number;
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
}

export interface OfferedRelease {
  release: Release;
  /** Newer than every kept release of the same product. */
  newer: boolean;
  /** What differs from the newest kept release of the same product (empty when there is none). */
  changes: FileChange[];
  /** The version it is compared with, if any. */
  comparedWith?: string;
}

/** The same product and version as a kept release, but different bytes: never stored over it without a word. */
export interface ChangedInPlace {
  release: Release;
  kept: KnownRelease;
  changes: FileChange[];
}

export interface ReleaseChanges {
  offers: OfferedRelease[];
  changedInPlace: ChangedInPlace[];
  /** Fetched releases the library already holds, unchanged. */
  unchanged: Release[];
}

export function fileChanges(from: KnownRelease['files'], to: KnownRelease['files']): FileChange[] {
  const before = new Map(from.map((f) => [f.path, f.sha256]));
  const after = new Map(to.map((f) => [f.path, f.sha256]));
  const changes: FileChange[] = [];
  for (const [path, sha] of after) {
    if (!before.has(path)) changes.push({ path, change: 'added' });
    else if (before.get(path) !== sha) changes.push({ path, change: 'changed' });
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, change: 'removed' });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

function newestFirst(a: { version: string; product: string }, b: { version: string; product: string }): number {
  const valid = semver.valid(a.version) && semver.valid(b.version);
  return (valid ? semver.rcompare(a.version, b.version) : b.version.localeCompare(a.version)) || a.product.localeCompare(b.product);
}

export function compareWithKept(fetched: readonly Release[], kept: readonly KnownRelease[]): ReleaseChanges {
  const result: ReleaseChanges = { offers: [], changedInPlace: [], unchanged: [] };
  for (const release of fetched) {
    if (kept.some((k) => k.id === release.id)) {
      result.unchanged.push(release);
      continue;
    }
    const same = kept.find((k) => k.product === release.product && k.version === release.version);
    if (same) {
      result.changedInPlace.push({ release, kept: same, changes: fileChanges(same.files, release.files) });
      continue;
    }
    const ofProduct = kept.filter((k) => k.product === release.product).sort(newestFirst);
    const newest = ofProduct[0];
    const offer: OfferedRelease = {
      release,
      newer: !newest || newestFirst(release, newest) < 0,
      changes: newest ? fileChanges(newest.files, release.files) : [],
    };
    if (newest) offer.comparedWith = newest.version;
    result.offers.push(offer);
  }
  result.offers.sort((a, b) => newestFirst(a.release, b.release));
  return result;
}

function describeChanges(changes: readonly FileChange[]): string {
  const list = changes.map((c) => (c.change === 'changed' ? `${c.path} has different bytes` : `${c.path} was ${c.change}`));
  return list.length > 0 ? list.join(', ') : 'its files differ';
}

/** The refusal for a release whose bytes changed under the same version since it was last fetched from `url`. */
export function changedInPlaceError(item: ChangedInPlace, url: string): RemoteError {
  const when = item.kept.fetchedAt ? ` on ${new Date(item.kept.fetchedAt).toISOString().slice(0, 10)}` : '';
  return new RemoteError(
    'digest-changed',
    `${item.release.product} ${item.release.version} at ${url} changed since FieldFlash fetched it${when}: ${describeChanges(item.changes)}, but the version is the same. FieldFlash kept the copy it has and stored nothing.`,
    {
      url,
      hint: 'Ask the publisher which build is right. To take the new one, delete the kept release and add the address again.',
    },
  );
}

export { describeChanges };
