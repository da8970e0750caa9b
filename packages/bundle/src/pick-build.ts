// Which build of a release suits a device, and why none does.
import type { ChipFamily } from './chip-family.ts';
import type { Build, Release } from './release.ts';

export function pickBuild(release: Release, chipFamily: ChipFamily): Build | undefined {
  return release.builds.find((b) => b.target.chipFamily === chipFamily);
}

export function compatibility(release: Release, chipFamily: ChipFamily): { ok: true; build: Build } | { ok: false; reason: string } {
  const build = pickBuild(release, chipFamily);
  if (build) return { ok: true, build };
  const families = [...new Set(release.builds.map((b) => b.target.chipFamily))];
  const list = families.length === 1 ? families[0]! : `${families.slice(0, -1).join(', ')} and ${families[families.length - 1]!}`;
  return {
    ok: false,
    reason: `${release.product} ${release.version} has builds for ${list} only; this device is an ${chipFamily}. Pick a release made for ${chipFamily}.`,
  };
}
