// Adds a release from a web address: download and verify everything first (bundle package), then store it with
// its source in one transaction. A release whose bytes changed under the same version is refused, never replaced.
import { beginOperation } from '../operations.ts';
import { listReleases, saveReleases, StoreError, type ReleaseSummary } from '../store/index.ts';
import { addFromUrlStatus, type AddFromUrlStatus } from './add-from-url-status.ts';
import { browserNetwork, isExplained } from './web-network.ts';

let running: AbortController | undefined;

export function cancelAddFromUrl(): void {
  running?.abort();
}

/** Releases kept from `url`, as the comparison with a fresh fetch needs them. */
export async function keptFrom(url: string, library?: readonly ReleaseSummary[]) {
  const all = library ?? (await listReleases());
  return all.filter((r) => r.source?.url === url).map((r) => ({ ...r, fetchedAt: r.source!.fetchedAt }));
}

function failure(url: string, error: unknown): Extract<AddFromUrlStatus, { state: 'failed' }> {
  if (isExplained(error)) return { state: 'failed', url, message: error.message, hint: error.hint, file: error.file };
  if (error instanceof StoreError) return { state: 'failed', url, message: error.message, hint: error.hint, file: undefined };
  return {
    state: 'failed',
    url,
    message: `FieldFlash could not add the release at ${url}: ${error instanceof Error ? error.message : String(error)}. Nothing was stored.`,
    hint: 'Check the address and try again, or download the release zip and drop it here.',
    file: undefined,
  };
}

export async function addFromUrl(typed: string): Promise<void> {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  let url = typed.trim();
  const endOperation = beginOperation(`Adding a release from ${url}`);
  // The previous outcome goes at once, before the bundle code has loaded.
  addFromUrlStatus.set({ state: 'running', url, progress: { phase: 'start' } });
  try {
    const bundle = await import('@fieldflash/bundle');
    url = bundle.parseReleaseUrl(typed);
    addFromUrlStatus.set({ state: 'running', url, progress: { phase: 'start' } });
    const { releases } = await bundle.fetchRelease(url, {
      ...browserNetwork(controller.signal),
      onProgress: (progress) => addFromUrlStatus.set({ state: 'running', url, progress }),
    });
    const changes = bundle.compareWithKept(releases, await keptFrom(url));
    const changed = changes.changedInPlace[0];
    if (changed) throw bundle.changedInPlaceError(changed, url);
    await (await import('../trust/import-check.ts')).refuseTampered(releases);
    addFromUrlStatus.set({ state: 'running', url, progress: { phase: 'save' } });
    const outcome = await saveReleases(releases, { source: { url, fetchedAt: Date.now() } });
    addFromUrlStatus.set({ state: 'finished', url, ...outcome });
  } catch (error) {
    addFromUrlStatus.set(failure(url, error));
  } finally {
    running = undefined;
    endOperation();
  }
}
