// The library's releases, grouped by product and then by target (chip family / board).
import { compareReleasesNewestFirst } from '@fieldflash/bundle';
import type { ReleaseSummary } from '../store/index.ts';
import { ReleaseCard } from './release-card.tsx';
import { targetsOf } from './release-facts.ts';

interface ProductGroup {
  product: string;
  targets: Array<{ label: string; releases: ReleaseSummary[] }>;
}

function groupReleases(releases: readonly ReleaseSummary[]): ProductGroup[] {
  const products = new Map<string, Map<string, ReleaseSummary[]>>();
  for (const release of releases) {
    const byTarget = products.get(release.product) ?? new Map<string, ReleaseSummary[]>();
    products.set(release.product, byTarget);
    const label = targetsOf(release);
    byTarget.set(label, [...(byTarget.get(label) ?? []), release]);
  }
  return [...products]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([product, byTarget]) => ({
      product,
      targets: [...byTarget].sort(([a], [b]) => a.localeCompare(b)).map(([label, list]) => ({ label, releases: list.sort(compareReleasesNewestFirst) })),
    }));
}

export function ReleaseList({ releases, onDetails }: { releases: readonly ReleaseSummary[]; onDetails: (release: ReleaseSummary) => void }) {
  if (releases.length === 0) {
    return <p class="library-empty">No releases on this device yet. Add a release zip to flash it later, even offline.</p>;
  }
  return (
    <div class="release-groups">
      {groupReleases(releases).map((group) => (
        <section key={group.product} class="product-group" aria-label={group.product}>
          <h3 class="product-group__name">{group.product}</h3>
          {group.targets.map((target) => (
            <section key={target.label} class="target-group" aria-label={`${group.product} for ${target.label}`}>
              <h4 class="target-group__name">For {target.label}</h4>
              <ul class="release-list">
                {target.releases.map((release) => (
                  <li key={release.id}>
                    <ReleaseCard release={release} onDetails={onDetails} />
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </section>
      ))}
    </div>
  );
}
