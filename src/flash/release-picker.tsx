// Step 2: choose a release from the library; those that cannot go on the connected chip are shown disabled, with the reason.
import { useEffect, useState } from 'preact/hooks';
import type { ChipFamily } from '@fieldflash/bundle';
import { listReleases, subscribeLibrary, type ReleaseSummary } from '../store/index.ts';
import { releaseOptions } from './release-choice.ts';

export function useLibraryReleases(): { releases: ReleaseSummary[] | undefined; error: string | undefined } {
  const [releases, setReleases] = useState<ReleaseSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    const load = () =>
      listReleases().then(
        (list) => current && (setReleases(list), setError(undefined)),
        (e: unknown) => current && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    const unsubscribe = subscribeLibrary(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  return { releases, error };
}

const partCount = (n: number) => `${n} ${n === 1 ? 'part' : 'parts'}`;

function appVersion(release: ReleaseSummary): string | undefined {
  const app = release.files.find((f) => f.image?.app)?.image?.app;
  return app ? `${app.projectName} ${app.version}` : undefined;
}

export function ReleasePicker(props: {
  library: { releases: ReleaseSummary[] | undefined; error: string | undefined };
  chipFamily: ChipFamily | undefined;
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const { releases, error } = props.library;
  if (error) return <p role="alert">The library could not be read: {error}</p>;
  if (!releases) return <p>Reading the library…</p>;
  if (releases.length === 0) {
    return (
      <p>
        The library is empty. Add a release zip in the <a href="#/library">Library</a> first.
      </p>
    );
  }
  const options = releaseOptions(releases, props.chipFamily);
  return (
    <fieldset class="flash-releases">
      <legend>Release</legend>
      {options.map(({ release, build, reason }) => {
        const app = appVersion(release);
        const reasonId = `release-reason-${release.id}`;
        return (
          <div key={release.id} class={build ? 'flash-release' : 'flash-release flash-release--disabled'}>
            <label>
              <input
                type="radio"
                name="release"
                value={release.id}
                checked={props.selected === release.id && !!build}
                disabled={!build}
                aria-describedby={reason ? reasonId : undefined}
                onChange={() => props.onSelect(release.id)}
              />{' '}
              {release.product} {release.version}
            </label>
            <span class="flash-release__meta">
              {build ? `${build.target.chipFamily ?? props.chipFamily}, ${partCount(build.flash?.parts.length ?? 0)}` : ''}
              {app ? ` · app ${app}` : ''}
            </span>
            {reason && (
              <p id={reasonId} class="flash-release__reason">
                Not for this board: {reason}
              </p>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
