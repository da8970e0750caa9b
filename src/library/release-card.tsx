// One release in the library list: what it is, whether it was verified, and what can be done with it.
import { useState } from 'preact/hooks';
import type { ReleaseSummary } from '../store/index.ts';
import { formatBytes, formatDate, targetLabel } from './format.ts';
import { exportRelease, removeRelease } from './release-actions.ts';
import { appDescriptionOf, releaseName, verificationOf } from './release-facts.ts';

export function ReleaseCard({ release, onDetails }: { release: ReleaseSummary; onDetails: (release: ReleaseSummary) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const name = releaseName(release);
  const app = appDescriptionOf(release);
  const headingId = `release-${release.id}`;

  const run = (action: () => Promise<void>) => {
    setProblem(undefined);
    action().catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };

  return (
    <article class="release-card" aria-labelledby={headingId}>
      <h5 id={headingId} class="release-card__title">
        {release.product} <span class="release-card__version">{release.version}</span>
      </h5>
      <dl class="facts">
        <dt>Version</dt>
        <dd>
          {release.version}
          {release.declaredVersion !== release.version && <> (declared as “{release.declaredVersion}”)</>}
        </dd>
        <dt>Chip family</dt>
        <dd>{release.builds.map((b) => targetLabel(b.target)).join(', ') || 'none declared'}</dd>
        {app && (
          <>
            <dt>Application</dt>
            <dd>
              {app.projectName} {app.version} (ESP-IDF {app.idfVersion})
            </dd>
          </>
        )}
        <dt>Size</dt>
        <dd>{formatBytes(release.totalSize)}</dd>
        <dt>Added</dt>
        <dd>{formatDate(release.addedAt)}</dd>
        <dt>Integrity</dt>
        <dd class="release-card__verified">{verificationOf(release)}</dd>
      </dl>
      {release.notes.length > 0 && (
        <ul class="notes" aria-label={`Notes on ${name}`}>
          {release.notes.map((note, i) => (
            <li key={i} class={`note note--${note.level}`}>
              {note.level === 'warning' ? 'Warning: ' : ''}
              {note.message}
            </li>
          ))}
        </ul>
      )}
      <div class="release-card__actions">
        <button type="button" class="button" aria-label={`Details of ${name}`} onClick={() => onDetails(release)}>
          Details
        </button>
        <button type="button" class="button" aria-label={`Export ${name} as zip`} onClick={() => run(() => exportRelease(release))}>
          Export zip
        </button>
        {!confirming && (
          <button type="button" class="button button--danger" aria-label={`Delete ${name}`} onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {confirming && (
        <div role="group" aria-label={`Confirm deleting ${name}`} class="confirm">
          <p>Delete {name} from this device? Flashing it again will need its zip.</p>
          <button type="button" class="button button--danger" onClick={() => run(() => removeRelease(release))}>
            Delete release
          </button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {problem && (
        <p role="alert" class="alert">
          {problem}
        </p>
      )}
    </article>
  );
}
