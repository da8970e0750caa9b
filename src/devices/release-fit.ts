// Which releases in the library fit a device (product, chip family, board, hardware revision), newest first by
// SemVer, and for each one that does not, why: said before a byte is sent.
import { compareVersionsNewestFirst } from '@fieldflash/bundle';
import { type DeviceDocument, fittingBuild, isSemver } from '@fieldflash/protocol';
import semver from 'semver';
import type { ReleaseSummary } from '../store/index.ts';

export type ReleaseFit =
  | { release: ReleaseSummary; fits: true; direction: 'upgrade' | 'reinstall' | 'downgrade' }
  | { release: ReleaseSummary; fits: false; reason: string };

export function releaseFit(release: ReleaseSummary, device: DeviceDocument): ReleaseFit {
  const name = `${release.product} ${release.version}`;
  const no = (reason: string): ReleaseFit => ({ release, fits: false, reason });
  let build;
  try {
    build = fittingBuild(release, device).build;
  } catch (error) {
    return no(error instanceof Error ? error.message : String(error));
  }
  if (!build.ota && !build.sourceTree && !release.files.some((f) => f.role === 'app' && !f.embedded?.length)) {
    return no(`${name} has no app image to send over the LAN, only a first-install layout. Flash it over USB instead.`);
  }
  if (!isSemver(release.version)) return no(`${name} has no SemVer version, so the device cannot compare it with ${device.version}.`);
  if (release.securityVersion !== undefined && release.securityVersion < device.securityVersion) {
    return no(`${name} has security version ${release.securityVersion}, below the device's ${device.securityVersion}: the device refuses it, even as a downgrade.`);
  }
  if (release.sequence !== undefined && release.sequence < device.sequence) {
    return no(`${name} has sequence ${release.sequence}, below the device's ${device.sequence}: the device never goes back to a lower one.`);
  }
  const order = semver.compare(release.version, device.version);
  return { release, fits: true, direction: order > 0 ? 'upgrade' : order === 0 ? 'reinstall' : 'downgrade' };
}

/** Every release judged for the device: those that fit first, newest first; then the others, newest first. */
export function releaseFits(releases: readonly ReleaseSummary[], device: DeviceDocument): ReleaseFit[] {
  const judged = releases.map((r) => releaseFit(r, device));
  const order = (a: ReleaseFit, b: ReleaseFit) => Number(b.fits) - Number(a.fits) || compareVersionsNewestFirst(a.release, b.release);
  return judged.sort(order);
}
