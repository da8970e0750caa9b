// "Check for newer versions": re-reads the address of every release added from the web, compares what is there now
// with what the library keeps, and offers the differences. Nothing is stored until the technician adds an offer.
import type { OfferedRelease } from '@fieldflash/bundle';
import { beginOperation } from '../operations.ts';
import { listReleases, saveReleases, StoreError, type ReleaseSummary } from '../store/index.ts';
import { refuseTampered } from '../trust/import-check.ts';
import { keptFrom } from './add-from-url.ts';
import { newerVersionsStatus, sourceUrls, type SourceCheck } from './newer-versions-status.ts';
import { browserNetwork, isExplained } from './web-network.ts';

export async function checkNewerVersions(): Promise<void> {
  if (newerVersionsStatus.get().state === 'checking') return;
  newerVersionsStatus.set({ state: 'checking', url: '', done: 0, total: 0 });
  let library: ReleaseSummary[];
  try {
    library = await listReleases();
  } catch (error) {
    const explained = error instanceof StoreError;
    newerVersionsStatus.set({
      state: 'failed',
      message: explained ? error.message : `The library could not be read (${String(error)}).`,
      hint: explained ? error.hint : 'Reload FieldFlash and try again.',
    });
    return;
  }
  const urls = sourceUrls(library);
  if (!navigator.onLine) {
    newerVersionsStatus.set({
      state: 'failed',
      message: `This laptop is offline: connect once to check ${urls.length === 1 ? urls[0] : `the ${urls.length} addresses releases came from`} for newer versions.`,
      hint: 'The releases already in the library still work offline. Check again when this laptop has a network.',
    });
    return;
  }
  const endOperation = beginOperation('Checking for newer versions');
  const sources: SourceCheck[] = [];
  try {
    const bundle = await import('@fieldflash/bundle');
    for (const [i, url] of urls.entries()) {
      newerVersionsStatus.set({ state: 'checking', url, done: i, total: urls.length });
      try {
        const { releases } = await bundle.fetchRelease(url, browserNetwork());
        const changes = bundle.compareWithKept(releases, await keptFrom(url, library));
        const describe = <T extends { changes: Parameters<typeof bundle.describeChanges>[0] }>(item: T) => ({ ...item, described: bundle.describeChanges(item.changes) });
        sources.push({ url, offers: changes.offers.map(describe), changedInPlace: changes.changedInPlace.map(describe) });
      } catch (error) {
        const problem = isExplained(error)
          ? { message: error.message, hint: error.hint }
          : { message: `${url} could not be read: ${error instanceof Error ? error.message : String(error)}.`, hint: 'Try again later.' };
        sources.push({ url, offers: [], changedInPlace: [], problem });
      }
    }
    newerVersionsStatus.set({ state: 'checked', checkedAt: Date.now(), sources, added: [] });
  } catch (error) {
    newerVersionsStatus.set({
      state: 'failed',
      message: `FieldFlash could not check for newer versions (${error instanceof Error ? error.message : String(error)}).`,
      hint: 'Reload FieldFlash and try again.',
    });
  } finally {
    endOperation();
  }
}

/** Stores one offered release (the bytes fetched by the check, already verified) with its source. */
export async function addOffered(url: string, offer: OfferedRelease): Promise<void> {
  const endOperation = beginOperation(`Adding ${offer.release.product} ${offer.release.version}`);
  try {
    await refuseTampered([offer.release]);
    await saveReleases([offer.release], { source: { url, fetchedAt: Date.now() } });
    const status = newerVersionsStatus.get();
    if (status.state === 'checked') newerVersionsStatus.set({ ...status, added: [...status.added, offer.release.id] });
  } finally {
    endOperation();
  }
}
