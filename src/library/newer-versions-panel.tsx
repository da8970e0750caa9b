// "Check for newer versions" of releases added from the web: what each address offers now, newest first,
// and releases whose bytes changed under the same version. Each offer is added only by its own button.
import { useEffect, useState } from 'preact/hooks';
import type { OfferedRelease } from '@fieldflash/bundle';
import { useSharedState } from '../shared-state.ts';
import type { ReleaseSummary } from '../store/index.ts';
import { formatDate } from './format.ts';
import { newerVersionsStatus, sourceUrls, type Described, type SourceCheck } from './newer-versions-status.ts';
import { deferredCode, loadWhenIdle, partNotLoaded, withCode } from '../deferred-code.ts';

// The code that fetches and compares: the library's first paint does not need it.
const checkCode = deferredCode(() => import('./newer-versions.ts'));

const addOffered = (url: string, offer: OfferedRelease) => withCode(checkCode, (code) => code.addOffered(url, offer));

function checkNewerVersions(): void {
  const cannotLoad = (error: unknown) => newerVersionsStatus.set({ state: 'failed', ...partNotLoaded('code that checks for newer versions', error) });
  void withCode(checkCode, (code) => code.checkNewerVersions(), cannotLoad);
}

function Offer({ url, offer, added }: { url: string; offer: Described<OfferedRelease>; added: boolean }) {
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const name = `${offer.release.product} ${offer.release.version}`;
  const relation = offer.comparedWith ? `${offer.newer ? 'Newer' : 'Older'} than ${offer.comparedWith} on this device` : 'Not on this device yet';
  return (
    <li class="offer">
      <p class="offer__name">{name}</p>
      <p class="offer__what">
        {relation}
        {offer.changes.length > 0 && <>. Changes: {offer.described}</>}.
      </p>
      {added ? (
        <p class="import-outcome">Added to the library.</p>
      ) : (
        <button type="button" class="button" aria-label={`Add ${name}`} onClick={() => addOffered(url, offer).catch((e: unknown) => setProblem(e instanceof Error ? e.message : String(e)))}>
          Add
        </button>
      )}
      {problem && <p class="alert">{problem}</p>}
    </li>
  );
}

function SourceResult({ source, added }: { source: SourceCheck; added: readonly string[] }) {
  return (
    <li class="source-check">
      <p class="source-check__url">
        <code>{source.url}</code>
      </p>
      {source.problem && (
        <div class="alert">
          <p>{source.problem.message}</p>
          <p class="alert__hint">What to do: {source.problem.hint}</p>
        </div>
      )}
      {source.changedInPlace.map((c) => (
        <p key={c.release.id} class="note note--warning">
          Warning: {c.release.product} {c.release.version} changed at this address since it was fetched
          {c.kept.fetchedAt ? ` on ${formatDate(c.kept.fetchedAt)}` : ''}: {c.described}, under the same version. FieldFlash keeps the copy it
          has.
        </p>
      ))}
      {source.offers.length > 0 && (
        <ul class="offers" aria-label={`Versions offered by ${source.url}`}>
          {source.offers.map((offer) => (
            <Offer key={offer.release.id} url={source.url} offer={offer} added={added.includes(offer.release.id)} />
          ))}
        </ul>
      )}
      {!source.problem && source.offers.length === 0 && source.changedInPlace.length === 0 && <p>Up to date: nothing new at this address.</p>}
    </li>
  );
}

export function NewerVersionsPanel({ releases }: { releases: readonly ReleaseSummary[] }) {
  const status = useSharedState(newerVersionsStatus);
  useEffect(() => loadWhenIdle(checkCode), []);
  const urls = sourceUrls(releases);
  const fromWeb = releases.filter((r) => r.source).length;
  const checking = status.state === 'checking';
  // Nothing to check until a release came from the web: the library's list stays high on the screen.
  if (fromWeb === 0 && status.state === 'idle') return null;
  return (
    <div class="newer-versions">
      <p>
        {fromWeb === 0
          ? 'No release in the library came from a web address yet.'
          : `${fromWeb} ${fromWeb === 1 ? 'release' : 'releases'} came from ${urls.length === 1 ? 'one web address' : `${urls.length} web addresses`}.`}{' '}
        <button type="button" class="button" disabled={fromWeb === 0 || checking} onClick={checkNewerVersions}>
          Check for newer versions
        </button>
      </p>
      <div role="status" aria-label="Newer versions" class="newer-versions__status">
        {checking && <p>{status.total > 0 ? `Checking ${status.url} (${status.done + 1} of ${status.total})…` : 'Checking…'}</p>}
        {status.state === 'checked' && (
          <ul class="source-checks">
            {status.sources.map((s) => (
              <SourceResult key={s.url} source={s} added={status.added} />
            ))}
          </ul>
        )}
      </div>
      {status.state === 'failed' && (
        <div role="alert" class="alert">
          <p>{status.message}</p>
          <p class="alert__hint">What to do: {status.hint}</p>
        </div>
      )}
    </div>
  );
}
