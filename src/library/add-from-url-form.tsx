// "Add from URL": the address field, what the download is doing (bytes and parts), and why it failed.
import { useEffect, useState } from 'preact/hooks';
import { useSharedState } from '../shared-state.ts';
import { addFromUrlStatus, type AddFromUrlStatus } from './add-from-url-status.ts';
import { formatBytes } from './format.ts';
import { deferredCode, loadWhenIdle, partNotLoaded, withCode } from '../deferred-code.ts';

// The code that fetches, verifies and stores: the library's first paint does not need it.
const adding = deferredCode(() => import('./add-from-url.ts'));

function addFromUrl(address: string): void {
  const cannotLoad = (error: unknown) =>
    addFromUrlStatus.set({ state: 'failed', url: address.trim(), file: undefined, ...partNotLoaded('code that adds releases', error) });
  void withCode(adding, (code) => code.addFromUrl(address), cannotLoad);
}

const cancelAddFromUrl = () => void withCode(adding, (code) => code.cancelAddFromUrl(), () => undefined);

function names(list: ReadonlyArray<{ product: string; version: string }>): string {
  return list.map((r) => `${r.product} ${r.version}`).join(', ');
}

function Progress({ status }: { status: Extract<AddFromUrlStatus, { state: 'running' }> }) {
  const p = status.progress;
  let text: string;
  let value: number | undefined;
  let max = 1;
  if (p.phase === 'download') {
    const part = p.partsTotal > 0 ? `Part ${Math.min(p.partsDone + 1, p.partsTotal)} of ${p.partsTotal}: ` : '';
    const size = p.currentTotal !== undefined ? `${formatBytes(p.currentDone)} of ${formatBytes(p.currentTotal)}` : formatBytes(p.currentDone);
    text = `Downloading ${part}${p.current}, ${size}. ${formatBytes(p.bytesDone)} downloaded in all.`;
    if (p.currentTotal !== undefined) {
      value = p.currentDone;
      max = p.currentTotal || 1;
    }
  } else if (p.phase === 'verify') {
    text = `Verifying SHA-256 digests (${p.done} of ${p.total} files)…`;
    value = p.done;
    max = p.total || 1;
  } else if (p.phase === 'unzip') {
    text = `Unzipping (${formatBytes(p.done)} of ${formatBytes(p.total)})…`;
    value = p.done;
    max = p.total || 1;
  } else if (p.phase === 'save') {
    text = 'Saving to this device…';
  } else {
    text = `Connecting to ${URL.canParse(status.url) ? new URL(status.url).host : status.url}…`;
  }
  return (
    <div class="import-progress">
      <p>{text}</p>
      <progress aria-label="Download progress" max={max} value={value} />
    </div>
  );
}

export function AddFromUrlForm() {
  const status = useSharedState(addFromUrlStatus);
  const [address, setAddress] = useState('');
  useEffect(() => loadWhenIdle(adding), []);
  const busy = status.state === 'running';
  const onSubmit = (event: Event) => {
    event.preventDefault();
    addFromUrl(address);
  };
  return (
    <div class="add-from-url">
      <form class="add-from-url__form" onSubmit={onSubmit}>
        <label for="release-url">Release address</label>
        <input
          id="release-url"
          type="text"
          inputMode="url"
          spellcheck={false}
          autoComplete="url"
          placeholder="https://example.github.io/firmware/manifest.json"
          value={address}
          disabled={busy}
          onInput={(e) => setAddress((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="button button--primary" disabled={busy || address.trim() === ''}>
          Add from URL
        </button>
        {busy && (
          <button type="button" class="button" onClick={cancelAddFromUrl}>
            Cancel
          </button>
        )}
      </form>
      <p class="add-from-url__help">
        A manifest.json, an install page with an ESP Web Tools install button, or a release zip: fetched while this laptop
        is online, kept on this device for flashing offline.
      </p>
      <div role="status" class="import-panel__status">
        {status.state === 'running' && <Progress status={status} />}
        {status.state === 'finished' && (
          <p class="import-outcome">
            {status.added.length > 0 && <>Fetched {names(status.added)} from {status.url} and stored it in the library. </>}
            {status.alreadyStored.length > 0 && <>{names(status.alreadyStored)} from {status.url} was already in the library; nothing was duplicated.</>}
          </p>
        )}
      </div>
      {status.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">Could not add the release from {status.url}</p>
          <p>{status.message}</p>
          {status.file && (
            <p>
              File: <code>{status.file}</code>
            </p>
          )}
          <p class="alert__hint">What to do: {status.hint}</p>
          <button type="button" class="button" onClick={() => addFromUrlStatus.set({ state: 'idle' })}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
