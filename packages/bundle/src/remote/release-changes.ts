// What a fresh fetch of a web release brings, compared with the releases already kept from the same address:
// new versions to offer (newest first by SemVer), and releases whose bytes changed under an unchanged version.
import semver from 'semver';
import type { FileRole, Release } from '../release.ts';
import { RemoteError } from './remote-error.ts';

/** A release already in the library, as far as the comparison needs it. */
export interface KnownRelease {
  id: string;
  product: string;
  version: string;
  files: ReadonlyArray<KnownFile>;
  /** When it was fetched (ms since the epoch), for messages. */
  fetchedAt?: number;
}

export interface KnownFile {
  path: string;
  sha256: string;
  role?: FileRole;
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed' | 'moved';
  role?: FileRole;
  /** For a file of the same role found at another path: where it was. */
  was?: string;
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

/** Roles a release holds once, so that a file of that role at a new path is the same part moved. */
const SINGLE_ROLES: readonly FileRole[] = ['bootloader', 'partition-table', 'app', 'manifest'];

export function fileChanges(from: readonly KnownFile[], to: readonly KnownFile[]): FileChange[] {
  const before = new Map(from.map((f) => [f.path, f]));
  const after = new Map(to.map((f) => [f.path, f]));
  const changes: FileChange[] = [];
  const added = to.filter((f) => !before.has(f.path));
  const removed = from.filter((f) => !after.has(f.path));
  for (const f of to) {
    const old = before.get(f.path);
    if (old && old.sha256 !== f.sha256) changes.push({ path: f.path, change: 'changed', ...(f.role ? { role: f.role } : {}) });
  }
  for (const role of SINGLE_ROLES) {
    const now = added.filter((f) => f.role === role);
    const then = removed.filter((f) => f.role === role);
    if (now.length !== 1 || then.length !== 1) continue;
    changes.push({ path: now[0]!.path, change: now[0]!.sha256 === then[0]!.sha256 ? 'moved' : 'changed', role, was: then[0]!.path });
    added.splice(added.indexOf(now[0]!), 1);
    removed.splice(removed.indexOf(then[0]!), 1);
  }
  for (const f of added) changes.push({ path: f.path, change: 'added', ...(f.role ? { role: f.role } : {}) });
  for (const f of removed) changes.push({ path: f.path, change: 'removed', ...(f.role ? { role: f.role } : {}) });
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

const ROLE_WORDS: Partial<Record<FileRole, string>> = { bootloader: 'the bootloader', 'partition-table': 'the partition table', app: 'the app', manifest: 'the manifest' };

/** One change in words: "the app (Application.bin) has different bytes". */
function describeChange(c: FileChange): string {
  const role = c.role ? ROLE_WORDS[c.role] : undefined;
  const where = c.was ? `now ${c.path}, was ${c.was}` : c.path;
  const what = role ? `${role} (${where})` : where;
  switch (c.change) {
    case 'changed':
      return `${what} has different bytes`;
    case 'moved':
      return `${what} has the same bytes at a new path`;
    default:
      return `${what} was ${c.change}`;
  }
}

function describeChanges(changes: readonly FileChange[]): string {
  return changes.length > 0 ? changes.map(describeChange).join('; ') : 'its files differ';
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
