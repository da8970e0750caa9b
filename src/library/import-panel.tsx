// The ways into the library (pick files, pick a folder, the demo) and what the import is doing.
import { useEffect, useRef } from 'preact/hooks';
import { useSharedState } from '../shared-state.ts';
import { importStatus, type ImportPhase, type ImportStatus } from './import-state.ts';
import { importCode, withImportCode } from './import-status.ts';
import { loadWhenIdle } from '../deferred-code.ts';
import { formatBytes } from './format.ts';
import { pickedFromInput } from './picked-files.ts';

const PHASES: Record<ImportPhase, string> = {
  read: 'Reading',
  download: 'Downloading the parts its manifest names',
  unzip: 'Unzipping',
  verify: 'Verifying SHA-256 digests',
  save: 'Saving to this device',
};

function releaseNames(list: ReadonlyArray<{ product: string; version: string }>): string {
  return list.map((r) => `${r.product} ${r.version}`).join(', ');
}

function Outcome({ status }: { status: ImportStatus }) {
  if (status.state === 'running') {
    const unit = status.phase === 'unzip' || status.phase === 'verify' ? (status.total === 1 ? ' file' : ' files') : status.phase === 'download' ? (status.total === 1 ? ' part' : ' parts') : '';
    return (
      <div class="import-progress">
        <p>
          Importing {status.name}: {PHASES[status.phase]}
          {status.total > 0 && status.phase !== 'read' ? ` (${status.done} of ${status.total}${unit}${status.bytes !== undefined ? `, ${formatBytes(status.bytes)} downloaded` : ''})` : ''}…
          {status.queued > 0 ? ` ${status.queued} more waiting.` : ''}
        </p>
        <progress aria-label="Import progress" max={status.total || 1} value={status.phase === 'read' ? undefined : status.done} />
      </div>
    );
  }
  if (status.state === 'finished') {
    return (
      <p class="import-outcome">
        {status.added.length > 0 && <>Added {releaseNames(status.added)} to the library. </>}
        {status.alreadyStored.length > 0 && (
          <>
            {releaseNames(status.alreadyStored)} {status.alreadyStored.length === 1 ? 'is' : 'are'} already in the library; nothing was duplicated.
          </>
        )}
        {status.signatureAdded.length > 0 && (
          <> {releaseNames(status.signatureAdded)} now {status.signatureAdded.length === 1 ? 'keeps' : 'keep'} the publisher's signature this copy brought.</>
        )}
        {status.added.length === 0 && status.alreadyStored.length === 0 && <>The bundle held no release.</>}
      </p>
    );
  }
  return null;
}

export function ImportPanel() {
  const status = useSharedState(importStatus);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const busy = status.state === 'running';
  useEffect(() => {
    // A folder picker for unzipped releases; set as a property because JSX has no typed attribute for it.
    if (folderInput.current) folderInput.current.webkitdirectory = true;
    loadWhenIdle(importCode, (code) => code.preloadBundleReader());
  }, []);

  const onPicked = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const picked = input.files ? pickedFromInput(input.files) : [];
    input.value = ''; // picking the same file again must fire another change
    void withImportCode('the picked files', (code) => code.importPicked(picked));
  };

  return (
    <section class="import-panel" aria-labelledby="import-heading">
      <h2 id="import-heading">Add a release</h2>
      <p class="import-panel__help">Drop a release zip anywhere on this window, or:</p>
      <div class="import-panel__actions">
        <button type="button" class="button button--primary" onClick={() => filesInput.current?.click()}>
          Choose release files…
        </button>
        <input
          ref={filesInput}
          type="file"
          hidden
          multiple
          accept=".zip,.bin,application/zip,application/x-zip-compressed,application/octet-stream"
          aria-label="Release zip or .bin files"
          onChange={onPicked}
        />
        <button type="button" class="button" onClick={() => folderInput.current?.click()}>
          Choose an unzipped release folder…
        </button>
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label="Unzipped release folder"
          onChange={onPicked}
        />
        <button type="button" class="button" disabled={busy} onClick={() => void withImportCode('the demo release', (code) => code.importDemoReleases())}>
          Load demo release
        </button>
      </div>
      <div role="status" class="import-panel__status">
        <Outcome status={status} />
      </div>
      {status.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">Could not import {status.name}</p>
          <p>{status.message}</p>
          {status.file && <p>File: <code>{status.file}</code></p>}
          <p class="alert__hint">What to do: {status.hint}</p>
          <button type="button" class="button" onClick={() => importStatus.set({ state: 'idle' })}>
            Dismiss
          </button>
        </div>
      )}
    </section>
  );
}
