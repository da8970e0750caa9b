// Imports bundles into the library one at a time: read and verify with the bundle package, then store
// in one transaction. Progress and the outcome are shared with whichever component shows them.
import type { BundleError } from '@fieldflash/bundle';
import { saveReleases, StoreError, type ReleaseSummary } from '../store/index.ts';
import { beginOperation } from '../operations.ts';
import { importStatus, type ImportPhase, type ImportStatus } from './import-state.ts';
import { importSources, type ImportSource, type PickedFile } from './picked-files.ts';
import { browserNetwork, isExplained } from './web-network.ts';
import { ImportStalled, unlessAborted, watchImport } from './import-watchdog.ts';


const queue: Array<() => Promise<void>> = [];
let draining = false;

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  } finally {
    draining = false;
  }
}

// The bundle reader (zip, digests, manifests) loads with the first import, keeping the first page load small.
const loadBundleReader = () => import('@fieldflash/bundle');
const loadImportCheck = () => import('../trust/import-check.ts');

/** Fetches and compiles the bundle reader while the technician looks at the library, before the first import. */
export function preloadBundleReader(): void {
  const load = () => void loadBundleReader().catch(() => undefined); // a failure resurfaces, with a message, on import
  if ('requestIdleCallback' in window) requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 1000);
}

function isBundleError(error: unknown): error is BundleError {
  return isExplained(error);
}

function failureFor(name: string, error: unknown): Extract<ImportStatus, { state: 'failed' }> {
  if (isBundleError(error) || error instanceof StoreError || error instanceof ImportStalled) {
    return { state: 'failed', name, message: error.message, file: isBundleError(error) ? error.file : undefined, hint: error.hint };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    state: 'failed',
    name,
    message: `FieldFlash could not read ${name}: ${detail}. Nothing was stored.`,
    file: undefined,
    hint: 'Check that the file is a firmware release (a zip, or its unzipped folder) and that it is still on this laptop, then try again.',
  };
}

const DOING: Record<ImportPhase, string> = {
  read: 'reading the file',
  download: 'downloading its parts',
  unzip: 'unpacking it',
  verify: 'verifying it',
  save: 'saving it to this device',
};

async function importOne(source: ImportSource, queuedAfter: number): Promise<{ added: ReleaseSummary[]; alreadyStored: ReleaseSummary[]; signatureAdded: ReleaseSummary[] }> {
  const endOperation = beginOperation(`Importing ${source.name}`);
  const watch = watchImport(source.name);
  const report = (phase: ImportPhase, done: number, total: number, bytes?: number) => {
    // A stalled import was ended and its message shown; whatever it still does in the background says nothing.
    if (watch.signal.aborted) return;
    // Downloads have their own time limits and may rightly be slow; the watch bounds what happens on this laptop.
    if (phase === 'download') watch.hold(DOING[phase]);
    else watch.progress(DOING[phase]);
    importStatus.set({ state: 'running', name: source.name, phase, done, total, queued: queuedAfter, ...(bytes === undefined ? {} : { bytes }) });
  };
  // User Timing marks: the import's phases show in DevTools' Performance panel and in the import benchmark.
  const started = performance.mark('fieldflash:import:start', { detail: source.name });
  try {
    report('read', 0, 1);
    const input = source.kind === 'zip' ? { name: source.name, data: source.file } : { name: source.name, files: source.files };
    const { readBundle, readBundleFetchingParts, namesRemoteParts } = await unlessAborted(loadBundleReader(), watch.signal);
    const releases = await unlessAborted(
      source.kind === 'files' && (await namesRemoteParts(source.files))
        ? // A dropped manifest whose parts are URLs: fetch them (when online), then verify as a folder.
          readBundleFetchingParts({ name: source.name, files: source.files }, {
            ...browserNetwork(),
            onProgress: (p) => (p.phase === 'download' ? report('download', p.partsDone, p.partsTotal, p.bytesDone) : report(p.phase, p.done, p.total)),
          })
        : readBundle(input, { onProgress: (p) => report(p.phase, p.done, p.total) }),
      watch.signal,
    );
    // A release changed after it was signed is refused here; the check loads with the first import.
    const { refuseTampered } = await unlessAborted(loadImportCheck(), watch.signal);
    await unlessAborted(refuseTampered(releases), watch.signal);
    const read = performance.mark('fieldflash:import:read');
    report('save', 0, releases.length);
    const outcome = await saveReleases(releases, { signal: watch.signal, onWrite: () => watch.progress(DOING.save) });
    const saved = performance.mark('fieldflash:import:saved');
    performance.measure('fieldflash:import:read', { start: started.startTime, end: read.startTime, detail: source.name });
    performance.measure('fieldflash:import:save', { start: read.startTime, end: saved.startTime, detail: source.name });
    performance.measure('fieldflash:import', { start: started.startTime, end: saved.startTime, detail: source.name });
    // The marks only place the measures (DevTools records both as they happen); kept, they would pile up with every import.
    for (const mark of [started, read, saved]) performance.clearMarks(mark.name);
    return outcome;
  } finally {
    watch.stop();
    endOperation();
  }
}

/** Shows why files handed over (dropped, launched) could not even be read. */
export function reportUnreadableFiles(name: string, error: unknown): void {
  importStatus.set(failureFor(name, error));
}

/** Queues every bundle in what was picked; resolves when they have all been tried. */
export function importPicked(picked: readonly PickedFile[]): Promise<void> {
  return importAll(importSources(picked));
}

export function importAll(sources: readonly ImportSource[]): Promise<void> {
  if (sources.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const added: ReleaseSummary[] = [];
    const alreadyStored: ReleaseSummary[] = [];
    const signatureAdded: ReleaseSummary[] = [];
    let failed = false;
    sources.forEach((source, index) => {
      queue.push(async () => {
        try {
          const outcome = await importOne(source, sources.length - index - 1);
          added.push(...outcome.added);
          alreadyStored.push(...outcome.alreadyStored);
          signatureAdded.push(...outcome.signatureAdded);
        } catch (error) {
          failed = true;
          importStatus.set(failureFor(source.name, error));
        }
        if (index === sources.length - 1) {
          // A failure stays on screen; otherwise say what was added.
          if (!failed) importStatus.set({ state: 'finished', added, alreadyStored, signatureAdded });
          resolve();
        }
      });
    });
    void drain();
  });
}

/** Fetches the demo releases shipped with FieldFlash (listed in /demo/index.json) and imports them. */
export async function importDemoReleases(): Promise<void> {
  const endOperation = beginOperation('Loading the demo release');
  let sources: ImportSource[];
  try {
    importStatus.set({ state: 'running', name: 'the demo release', phase: 'read', done: 0, total: 1, queued: 0 });
    const list = await fetch('/demo/index.json');
    if (!list.ok) throw new Error(`/demo/index.json answered ${list.status}`);
    const names = demoNames(await list.json());
    if (names.length === 0) throw new Error('/demo/index.json lists no demo release');
    sources = await Promise.all(
      names.map(async (name) => {
        const response = await fetch(`/demo/${encodeURIComponent(name)}`);
        if (!response.ok) throw new Error(`/demo/${name} answered ${response.status}`);
        return { kind: 'zip' as const, name, file: await response.blob() };
      }),
    );
  } catch (error) {
    importStatus.set({
      state: 'failed',
      name: 'the demo release',
      message: `The demo release could not be loaded (${error instanceof Error ? error.message : String(error)}).`,
      file: undefined,
      hint: 'This copy of FieldFlash may have been built without a demo release. Import a release zip of your own instead.',
    });
    return;
  } finally {
    endOperation();
  }
  await trustDemoPublisher();
  await importAll(sources);
}

/**
 * The demo releases are signed with a key made for each build of FieldFlash and served beside them: it comes from
 * the same place as FieldFlash itself, so loading the demo trusts it (Settings lists it, and can revoke it). A
 * build without one has unsigned demo releases, which ask to be allowed where they are installed.
 */
async function trustDemoPublisher(): Promise<void> {
  try {
    const response = await fetch(DEMO_PUBLISHER_KEY);
    if (!response.ok) return;
    const text = await response.text();
    const { importPublicKey } = await import('../settings/key-import.ts');
    await importPublicKey(text, '');
  } catch {
    // No key: the demo releases are judged as what they are.
  }
}

const DEMO_PUBLISHER_KEY = '/demo/fieldflash-demo-publisher.pub.json';

/** index.json lists zip names: ["demo.zip"], or names without the extension, or objects with a name. */
function demoNames(json: unknown): string[] {
  const list: unknown[] = Array.isArray(json) ? json : Array.isArray((json as { releases?: unknown })?.releases) ? (json as { releases: unknown[] }).releases : [];
  return list
    .map((item) => (typeof item === 'string' ? item : typeof (item as { name?: unknown })?.name === 'string' ? (item as { name: string }).name : ''))
    .filter((name) => name !== '' && !name.includes('/') && !name.includes('..'))
    .map((name) => (/\.zip$/i.test(name) ? name : `${name}.zip`));
}
