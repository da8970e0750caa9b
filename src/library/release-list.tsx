// The library's releases: a filter, a live count, and the sortable list, with what can be done to each release.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { deferredCode, loadWhenIdle, withCode } from '../deferred-code.ts';
import type { ReleaseSummary } from '../store/index.ts';
import { ConfirmDelete } from './confirm-delete.tsx';
import { useListTiming } from './list-timing.ts';
import { releaseName } from './release-facts.ts';
import { chipFamilyCounts, filterReleases, isFiltering, NO_FILTER, type ReleaseFilter } from './release-filter.ts';
import { DEFAULT_ORDER, sortReleases, type SortOrder } from './release-order.ts';
import { ReleaseTable } from './release-table.tsx';
import './release-list.css';

// Export and delete: the library's first paint does not need them.
const actions = deferredCode(() => import('./release-actions.ts'));
const exportRelease = (release: ReleaseSummary) => withCode(actions, (code) => code.exportRelease(release));
const removeRelease = (release: ReleaseSummary) => withCode(actions, (code) => code.removeRelease(release));

function countText(shown: number, total: number, filtering: boolean): string {
  const noun = total === 1 ? 'release' : 'releases';
  return filtering ? `${shown} of ${total} ${noun}` : `${total} ${noun}`;
}

function FilterBar({ filter, onChange, releases }: { filter: ReleaseFilter; onChange: (filter: ReleaseFilter) => void; releases: readonly ReleaseSummary[] }) {
  const families = useMemo(() => {
    const counts = chipFamilyCounts(releases);
    // A chosen family whose last release was deleted stays in the choice, with none, until another is chosen.
    return filter.chipFamily && !counts.some((c) => c.chipFamily === filter.chipFamily) ? [...counts, { chipFamily: filter.chipFamily, count: 0 }] : counts;
  }, [releases, filter.chipFamily]);
  return (
    <div class="release-filter" role="search" aria-label="Filter releases">
      <label class="release-filter__field">
        <span>Filter</span>
        <input
          type="search"
          value={filter.text}
          placeholder="Product, version, board, address…"
          spellcheck={false}
          autocomplete="off"
          onInput={(event) => onChange({ ...filter, text: event.currentTarget.value })}
        />
      </label>
      <label class="release-filter__field">
        <span>Chip family</span>
        <select value={filter.chipFamily} onChange={(event) => onChange({ ...filter, chipFamily: event.currentTarget.value })}>
          <option value="">All chip families</option>
          {families.map(({ chipFamily, count }) => (
            <option key={chipFamily} value={chipFamily}>
              {chipFamily} ({count})
            </option>
          ))}
        </select>
      </label>
      {isFiltering(filter) && (
        <button type="button" class="button button--small" onClick={() => onChange(NO_FILTER)}>
          Clear filter
        </button>
      )}
    </div>
  );
}

export function ReleaseList({ releases, onDetails }: { releases: readonly ReleaseSummary[]; onDetails: (release: ReleaseSummary) => void }) {
  const [filter, setFilter] = useState<ReleaseFilter>(NO_FILTER);
  const [order, setOrder] = useState<SortOrder>(DEFAULT_ORDER);
  const [deleting, setDeleting] = useState<ReleaseSummary | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useEffect(() => loadWhenIdle(actions), []);
  const shown = useMemo(() => sortReleases(filterReleases(releases, filter), order), [releases, filter, order]);
  useListTiming(shown.length);
  // Stable handlers: a library change then re-renders only the rows that changed.
  const run = useCallback((what: string, action: () => Promise<void>) => {
    setProblem(undefined);
    action().catch((error: unknown) => setProblem(`Could not ${what}: ${error instanceof Error ? error.message : String(error)}`));
  }, []);
  const onExport = useCallback((release: ReleaseSummary) => run(`export ${releaseName(release)}`, () => exportRelease(release)), [run]);

  if (releases.length === 0) {
    return <p class="library-empty">No releases on this device yet. Add a release zip to flash it later, even offline.</p>;
  }

  const filtering = isFiltering(filter);

  return (
    <div class="release-list">
      <div class="release-list__bar">
        <FilterBar filter={filter} onChange={setFilter} releases={releases} />
        <p role="status" class="release-list__count">
          {countText(shown.length, releases.length, filtering)}
        </p>
        <p id="release-keys" class="release-list__keys">
          <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> details · <kbd>Delete</kbd> delete
        </p>
      </div>
      {problem && (
        <p role="alert" class="alert">
          {problem}
        </p>
      )}
      {shown.length > 0 ? (
        <ReleaseTable
          releases={shown}
          order={order}
          onSort={setOrder}
          describedBy="release-keys"
          onDetails={onDetails}
          onExport={onExport}
          onDelete={setDeleting}
        />
      ) : (
        <p class="library-empty">
          No release matches this filter. <button type="button" class="button button--small" onClick={() => setFilter(NO_FILTER)}>Clear filter</button>
        </p>
      )}
      {deleting && (
        <ConfirmDelete
          key={deleting.id}
          release={deleting}
          onKeep={() => setDeleting(undefined)}
          onDelete={() => {
            setDeleting(undefined);
            run(`delete ${releaseName(deleting)}`, () => removeRelease(deleting));
          }}
        />
      )}
    </div>
  );
}
