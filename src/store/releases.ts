// The package library on this device: save, list, read and delete releases, each change in one transaction.
import type { Release } from '@fieldflash/bundle';
import type { IDBPTransaction } from 'idb';
import { database, type FieldFlashSchema, type ReleaseSource, type ReleaseSummary, type StoredFileData } from './schema.ts';
import { StoreError, storeErrorFrom } from './errors.ts';

/** A release read back from the library, its files' bytes included. */
export interface StoredRelease extends Release {
  addedAt: number;
}

export interface SaveOutcome {
  /** Releases new to the library. */
  added: ReleaseSummary[];
  /** Releases that were already stored (same id): left as they were, not duplicated. */
  alreadyStored: ReleaseSummary[];
  /**
   * Of those, the ones stored unsigned that this copy brought the publisher's signature for: the stored release now
   * keeps it (a release's id covers its files, not its signature, so the signed copy is the same release).
   */
  signatureAdded: ReleaseSummary[];
}

/**
 * What changed, so that a list already read can follow without reading the whole library again: the releases a
 * save in this window added, the release a delete in this window removed, or something else (another window's
 * change, a stored release given its web address).
 */
export type LibraryChange = { kind: 'added'; releases: readonly ReleaseSummary[] } | { kind: 'deleted'; id: string } | { kind: 'other' };

type ChangeListener = (change: LibraryChange) => void;
const listeners = new Set<ChangeListener>();
// Other FieldFlash windows on this device hear about changes too.
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('fieldflash-library');
channel?.addEventListener('message', () => notify({ kind: 'other' }, false));

function notify(change: LibraryChange, broadcast: boolean): void {
  for (const listener of [...listeners]) listener(change);
  if (broadcast) channel?.postMessage('changed');
}

/** The library's own order (listReleases): the latest added first, then by product. */
export function addedNewestFirst(a: ReleaseSummary, b: ReleaseSummary): number {
  return b.addedAt - a.addedAt || a.product.localeCompare(b.product);
}

/** Calls the listener whenever releases are added or deleted (in this window or another). */
export function subscribeLibrary(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function summaryOf(release: Release, addedAt: number, source: ReleaseSource | undefined): ReleaseSummary {
  const { files, ...rest } = release;
  return {
    ...rest,
    files: files.map(({ data: _bytes, ...info }) => info),
    addedAt,
    totalSize: files.reduce((sum, f) => sum + f.size, 0),
    ...(source ? { source } : {}),
  };
}

export interface SaveOptions {
  /** For releases fetched from the web: kept with each release (and added to a stored one that had none). */
  source?: ReleaseSource;
  /** Aborts the transaction: nothing is stored, and the save rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called as each record is written, so a caller can tell a slow save from a stuck one. */
  onWrite?: () => void;
}

function describe(releases: readonly Release[]): string {
  const first = releases[0];
  if (!first) return 'store nothing';
  return releases.length === 1 ? `store ${first.product} ${first.version}` : `store ${releases.length} releases`;
}

/**
 * Stores releases, metadata and file bytes, in ONE transaction over both object stores:
 * if anything fails (storage full, the page closes) the transaction aborts and nothing is kept.
 */
export async function saveReleases(releases: readonly Release[], options: SaveOptions = {}): Promise<SaveOutcome> {
  const outcome: SaveOutcome = { added: [], alreadyStored: [], signatureAdded: [] };
  if (releases.length === 0) return outcome;
  options.signal?.throwIfAborted();
  let sourced = false;
  let tx: IDBPTransaction<FieldFlashSchema, ['releases', 'files'], 'readwrite'>;
  try {
    tx = (await database()).transaction(['releases', 'files'], 'readwrite');
  } catch (error) {
    throw storeErrorFrom(error, describe(releases));
  }
  const done = tx.done;
  // When storage runs out, Chrome may abort the transaction without ever settling the requests queued in it, so
  // every wait below also ends when the transaction does.
  const ended = new Promise<never>((_, reject) => void done.catch(reject));
  ended.catch(() => undefined); // observed below; keeps an abort from surfacing as an unhandled rejection
  const settled = <T>(request: Promise<T>): Promise<T> => Promise.race([request, ended]);
  const abort = () => {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted by IndexedDB itself.
    }
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const seen = new Set<string>();
    const addedAt = Date.now();
    for (const release of releases) {
      if (seen.has(release.id)) continue;
      seen.add(release.id);
      const existing = await settled(tx.objectStore('releases').get(release.id));
      if (existing) {
        // The same bytes, dropped earlier and now found on the web: remember where, so it can be checked for updates.
        if (options.source && !existing.source) {
          existing.source = options.source;
          await settled(tx.objectStore('releases').put(existing));
          sourced = true;
        }
        const signature = release.files.find((f) => f.role === 'signature');
        if (signature && !existing.files.some((f) => f.role === 'signature')) {
          const signed = summaryOf(release, existing.addedAt, existing.source);
          await settled(tx.objectStore('releases').put(signed));
          await settled(tx.objectStore('files').put({ releaseId: release.id, path: signature.path, data: signature.data }));
          outcome.signatureAdded.push(signed);
          outcome.alreadyStored.push(signed);
          sourced = true;
          continue;
        }
        outcome.alreadyStored.push(existing);
        continue;
      }
      const summary = summaryOf(release, addedAt, options.source);
      // Requests are queued without awaiting each one, so the transaction stays busy and cannot auto-commit early.
      const written = <T>(request: Promise<T>) => request.then((value) => (options.onWrite?.(), value));
      const writes: Promise<unknown>[] = [written(tx.objectStore('releases').add(summary))];
      for (const file of release.files) {
        const record: StoredFileData = { releaseId: release.id, path: file.path, data: file.data };
        writes.push(written(tx.objectStore('files').add(record)));
      }
      await settled(Promise.all(writes));
      outcome.added.push(summary);
    }
    await done;
  } catch (error) {
    abort();
    if (options.signal?.aborted) throw options.signal.reason;
    throw storeErrorFrom(tx.error ?? error, describe(releases));
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (sourced) notify({ kind: 'other' }, true);
  else if (outcome.added.length > 0) notify({ kind: 'added', releases: outcome.added }, true);
  return outcome;
}

/** Every release in the library, newest first. */
export async function listReleases(): Promise<ReleaseSummary[]> {
  try {
    const db = await database();
    const all = await db.getAll('releases');
    return all.sort(addedNewestFirst);
  } catch (error) {
    throw storeErrorFrom(error, 'read the library');
  }
}

/** The release's metadata without file bytes, or undefined when it is not in the library. */
export async function getReleaseSummary(id: string): Promise<ReleaseSummary | undefined> {
  try {
    return await (await database()).get('releases', id);
  } catch (error) {
    throw storeErrorFrom(error, 'read the library');
  }
}

/** A release with its files' bytes (as Blobs), read in one transaction; undefined when it is not in the library. */
export async function getRelease(id: string): Promise<StoredRelease | undefined> {
  let summary: ReleaseSummary | undefined;
  let stored: StoredFileData[];
  try {
    const tx = (await database()).transaction(['releases', 'files'], 'readonly');
    [summary, stored] = await Promise.all([
      tx.objectStore('releases').get(id),
      tx.objectStore('files').index('by-release').getAll(id),
      tx.done,
    ]);
  } catch (error) {
    throw storeErrorFrom(error, 'read a release from the library');
  }
  if (!summary) return undefined;
  const bytes = new Map(stored.map((f) => [f.path, f.data]));
  const { addedAt, totalSize: _total, files, ...release } = summary;
  return {
    ...release,
    addedAt,
    files: files.map((info) => {
      const data = bytes.get(info.path);
      if (!data) {
        throw new StoreError(
          'not-found',
          `The library lacks the bytes of ${info.path} in ${summary.product} ${summary.version}.`,
          'Delete this release and import its zip again.',
        );
      }
      return { ...info, data };
    }),
  };
}

/** Deletes a release and its files in one transaction. Returns false when it was not in the library. */
export async function deleteRelease(id: string): Promise<boolean> {
  let found = false;
  const db = await database().catch((error: unknown) => {
    throw storeErrorFrom(error, 'delete a release');
  });
  const tx = db.transaction(['releases', 'files'], 'readwrite');
  try {
    const releases = tx.objectStore('releases');
    const files = tx.objectStore('files');
    found = (await releases.getKey(id)) !== undefined;
    const fileKeys = await files.index('by-release').getAllKeys(id);
    await Promise.all([releases.delete(id), ...fileKeys.map((key) => files.delete(key)), tx.done]);
  } catch (error) {
    tx.done.catch(() => undefined);
    throw storeErrorFrom(tx.error ?? error, 'delete a release');
  }
  if (found) notify({ kind: 'deleted', id }, true);
  return found;
}

/** One file's bytes (a small one: the manifest, its signature), without reading the rest of the release. */
export async function getReleaseFile(releaseId: string, path: string): Promise<Blob | undefined> {
  try {
    return (await (await database()).get('files', [releaseId, path]))?.data;
  } catch (error) {
    throw storeErrorFrom(error, 'read a release from the library');
  }
}
