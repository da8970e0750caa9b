// The one order of releases everywhere FieldFlash lists them: releases of one product together (products by name),
// newest first. SemVer releases by SemVer; releases whose version is not SemVer after them, by build time.
// Only the two functions used, not the package's index: this order runs in the library's first paint, and the
// index brings every range and comparator class (about 60 kB of source).
import rcompare from 'semver/functions/rcompare.js';
import valid from 'semver/functions/valid.js';
import type { Release } from './release.ts';

/** How a release is labelled where its version is not SemVer. */
export const BUILD_TIME_ORDER_LABEL = 'not a SemVer version; ordered by build time';

export type OrderedRelease = Pick<Release, 'id' | 'product' | 'version' | 'versionOrder' | 'builtAt'>;

const byBuildTimeDesc = (a: string | undefined, b: string | undefined): number => {
  if (a === b) return 0;
  if (a === undefined) return 1; // unknown build time last
  if (b === undefined) return -1;
  return a < b ? 1 : -1;
};

function isSemVer(r: OrderedRelease): boolean {
  return r.versionOrder !== 'build-time' && valid(r.version) !== null;
}

/**
 * Newest first by version alone: a release with a SemVer version comes before those without one (a bare git hash
 * says nothing about how it relates to a numbered release); SemVer releases by SemVer, the others by build time,
 * the later build first. Equal versions compare equal, so a caller's own tie-break decides.
 */
export function compareVersionsNewestFirst(a: OrderedRelease, b: OrderedRelease): number {
  const aSemVer = isSemVer(a);
  const bSemVer = isSemVer(b);
  if (aSemVer !== bSemVer) return aSemVer ? -1 : 1;
  return aSemVer ? rcompare(a.version, b.version) : byBuildTimeDesc(a.builtAt, b.builtAt);
}

/**
 * Comparator for Array.prototype.sort: product by name, then newest first (compareVersionsNewestFirst). Ties go to
 * the later build, then to the id, so the order is total.
 */
export function compareReleasesNewestFirst(a: OrderedRelease, b: OrderedRelease): number {
  if (a.product !== b.product) return a.product.localeCompare(b.product);
  return compareVersionsNewestFirst(a, b) || byBuildTimeDesc(a.builtAt, b.builtAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
