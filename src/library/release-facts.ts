// Facts about a stored release that several parts of the library show the same way.
import type { AppDescription } from '@fieldflash/bundle';
import type { ReleaseSummary } from '../store/index.ts';
import { targetLabel } from './format.ts';

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

/** Label for grouping: the targets a release serves, e.g. "ESP32" or "ESP32-S3 · board-rev2". */
export function targetsOf(release: ReleaseSummary): string {
  const labels = [...new Set(release.builds.map((b) => targetLabel(b.target)))];
  return labels.length > 0 ? labels.join(', ') : 'No target declared';
}
