// The package library: add releases, see what is on this device, inspect, export and delete them.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { deferredCode, loadWhenIdle } from '../deferred-code.ts';
import { LazyPart } from '../lazy-view.tsx';
import type { ReleaseSummary } from '../store/index.ts';
import { DropOverlay } from './drop-overlay.tsx';
import { ImportPanel } from './import-panel.tsx';
import { ReleaseList } from './release-list.tsx';
import { StoragePanel } from './storage-panel.tsx';
import { useLibrary } from './use-library.ts';
import { WebReleasesPanel } from './web-releases-panel.tsx';
import './library.css';

// The details bring the flash-layout, image and source-tree readers, which the list's first paint does not need.
const detailsCode = deferredCode(() => import('./release-details.tsx'));
const loadReleaseDetails = () => detailsCode.load().then((code) => code.ReleaseDetails);

export function LibraryView() {
  const library = useLibrary();
  useEffect(() => loadWhenIdle(detailsCode), []);
  const [detailsOf, setDetailsOf] = useState<string | undefined>(undefined);
  const openDetails = useCallback((release: ReleaseSummary) => setDetailsOf(release.id), []);
  const shown: ReleaseSummary | undefined =
    library.state === 'ready' && detailsOf ? library.releases.find((r) => r.id === detailsOf) : undefined;

  return (
    <div class="library">
      <DropOverlay />
      <ImportPanel />
      <WebReleasesPanel />
      <section class="library__releases" aria-labelledby="library-heading">
        <h2 id="library-heading">Releases on this device</h2>
        {library.state === 'loading' && <p>Reading the library…</p>}
        {library.state === 'failed' && (
          <div role="alert" class="alert">
            <p class="alert__title">The library could not be read.</p>
            <p>{library.message}</p>
            <p class="alert__hint">What to do: reload FieldFlash. If it keeps failing, this browser profile may be out of storage.</p>
          </div>
        )}
        {library.state === 'ready' && <ReleaseList releases={library.releases} onDetails={openDetails} />}
      </section>
      <StoragePanel />
      {shown && <LazyPart key={shown.id} load={loadReleaseDetails} what="release details" quiet props={{ release: shown, onClose: () => setDetailsOf(undefined) }} />}
    </div>
  );
}
