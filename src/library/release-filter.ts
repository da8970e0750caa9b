// Narrowing the library's list: words typed by the technician, and a chip family.
import type { ReleaseSummary } from '../store/index.ts';
import { appDescriptionOf, boardsOf, chipFamiliesOf } from './release-facts.ts';

export interface ReleaseFilter {
  /** Words that must all appear, in any field, in any case: "s3 2.1" finds ESP32-S3 releases of version 2.1.x. */
  text: string;
  /** One chip family, or '' for all of them. */
  chipFamily: string;
}

export const NO_FILTER: ReleaseFilter = { text: '', chipFamily: '' };

export function isFiltering(filter: ReleaseFilter): boolean {
  return filter.text.trim() !== '' || filter.chipFamily !== '';
}

/** Everything the text filter looks through: what the list shows, and what the details would (a web release's address too). */
function searchableText(release: ReleaseSummary): string {
  const app = appDescriptionOf(release);
  return [
    release.product,
    release.version,
    release.declaredVersion,
    ...chipFamiliesOf(release),
    ...boardsOf(release),
    release.sourceName,
    release.source?.url, // a web release is found by its address: "github.io", the project's path
    app?.projectName,
    app?.version,
    ...release.notes.map((n) => n.message),
  ]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
}

// Releases never change once stored, so their text is worked out once per release object.
const searchable = new WeakMap<ReleaseSummary, string>();

export function filterReleases(releases: readonly ReleaseSummary[], filter: ReleaseFilter): ReleaseSummary[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return releases.filter((release) => {
    if (filter.chipFamily && !chipFamiliesOf(release).includes(filter.chipFamily)) return false;
    if (words.length === 0) return true;
    let haystack = searchable.get(release);
    if (haystack === undefined) searchable.set(release, (haystack = searchableText(release)));
    return words.every((word) => haystack.includes(word));
  });
}

/** The chip families present in the library, with how many releases have a build for each. */
export function chipFamilyCounts(releases: readonly ReleaseSummary[]): Array<{ chipFamily: string; count: number }> {
  const counts = new Map<string, number>();
  for (const release of releases) for (const family of chipFamiliesOf(release)) counts.set(family, (counts.get(family) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })).map(([chipFamily, count]) => ({ chipFamily, count }));
}
