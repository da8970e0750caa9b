// Facts about a stored release that several parts of the library show the same way.
import type { AppDescription } from '@fieldflash/bundle';
import type { ReleaseSummary } from '../store/index.ts';

export function releaseName(release: ReleaseSummary): string {
  return `${release.product} ${release.version}`;
}

/** The description the build system wrote into the first application image. */
export function appDescriptionOf(release: ReleaseSummary): AppDescription | undefined {
  return release.files.find((f) => f.role === 'app' && f.image?.app)?.image?.app ?? release.files.find((f) => f.image?.app)?.image?.app;
}

export function verificationOf(release: ReleaseSummary): string {
  const count = release.files.length;
  const declared = release.files.filter((f) => f.digestDeclared).length;
  const base = `Verified: ${count} ${count === 1 ? 'file' : 'files'}, SHA-256`;
  return declared > 0 ? `${base} (${declared} matched the manifest)` : base;
}

/** The chip families a release has builds for, each once, in the manifest's order; "MicroPython" for a tree for any chip. */
export function chipFamiliesOf(release: ReleaseSummary): string[] {
  return [...new Set(release.builds.map((b) => b.target.chipFamily ?? (b.target.runtime ? 'MicroPython' : 'any chip')))];
}

/** The boards a release names, each once; empty when its builds name none. */
export function boardsOf(release: ReleaseSummary): string[] {
  return [...new Set(release.builds.flatMap((b) => (b.target.board ? [b.target.board] : [])))];
}
