// Which stored releases can go on the connected chip over USB, and why the others cannot.
import { compareReleasesNewestFirst, compareVersionsNewestFirst, compatibility, type Build, type ChipFamily, type Release } from '@fieldflash/bundle';

type ReleaseLike = Pick<Release, 'id' | 'product' | 'version' | 'versionOrder' | 'builtAt' | 'builds'>;

export interface ReleaseOption<R extends ReleaseLike = ReleaseLike> {
  release: R;
  /** The build to flash; undefined when the release cannot go on this chip over USB. */
  build: Build | undefined;
  /** Why not, in a sentence (for a disabled choice). */
  reason: string | undefined;
}

/** The release's first-install build for `family`, or the reason there is none. */
export function releaseOption<R extends ReleaseLike>(release: R, family: ChipFamily | undefined): ReleaseOption<R> {
  if (!family) return { release, build: undefined, reason: 'The connected chip is not one FieldFlash has releases for.' };
  // compatibility() reads only the release's name and builds: a stored summary (files without bytes) will do.
  const verdict = compatibility({ ...release, files: [] } as unknown as Release, family);
  if (!verdict.ok) return { release, build: undefined, reason: verdict.reason };
  const build = verdict.build;
  if (!build.flash || build.flash.parts.length === 0) {
    return { release, build: undefined, reason: `${release.product} ${release.version} has only over-the-air images for ${family}, no first-install layout.` };
  }
  return { release, build, reason: undefined };
}

/** Compatible releases first (newest first, in the library's order), then the others with their reasons. */
export function releaseOptions<R extends ReleaseLike>(releases: readonly R[], family: ChipFamily | undefined): ReleaseOption<R>[] {
  const options = [...releases].sort(compareReleasesNewestFirst).map((r) => releaseOption(r, family));
  return [...options.filter((o) => o.build), ...options.filter((o) => !o.build)];
}

/**
 * The release chosen for the technician: the only one that fits the chip, or the newest of those that do, by
 * version alone (SemVer, then build time), not by product name, which would pick by alphabet between products.
 */
export function preferredRelease<R extends ReleaseLike>(options: readonly ReleaseOption<R>[]): R | undefined {
  return options
    .filter((o) => o.build)
    .map((o) => o.release)
    .sort(compareVersionsNewestFirst)[0];
}
