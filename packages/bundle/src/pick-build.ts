// Which build of a release suits a device, and why none does.
import type { ChipFamily } from './chip-family.ts';
import type { Build, Release } from './release.ts';
import { isSourceTreeBuild, sourceTreeInstallNote } from './source-tree.ts';

/** The firmware build for the chip; a source tree is never one (it is installed file by file, not flashed). */
export function pickBuild(release: Release, chipFamily: ChipFamily): Build | undefined {
  return release.builds.find((b) => !isSourceTreeBuild(b) && b.target.chipFamily === chipFamily);
}

export function compatibility(release: Release, chipFamily: ChipFamily): { ok: true; build: Build } | { ok: false; reason: string } {
  const build = pickBuild(release, chipFamily);
  if (build) return { ok: true, build };
  const families = [...new Set(release.builds.filter((b) => !isSourceTreeBuild(b)).map((b) => b.target.chipFamily))];
  if (families.length === 0 && release.builds.some(isSourceTreeBuild)) return { ok: false, reason: sourceTreeInstallNote(release) };
  const list = families.length === 1 ? families[0]! : `${families.slice(0, -1).join(', ')} and ${families[families.length - 1]!}`;
  return {
    ok: false,
    reason: `${release.product} ${release.version} has builds for ${list} only; this device is an ${chipFamily}. Pick a release made for ${chipFamily}.`,
  };
}
