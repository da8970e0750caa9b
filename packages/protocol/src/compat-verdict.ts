// The only verdict a compatibility upload can have: does the device come back, after its reboot, reporting the new
// version? Neither ESPHome nor ElegantOTA reports a slot or a rollback, so this is all there is, and only where the
// device reports a version at all. A device that answers but reports none gets "unverified", said as such.

import semver from 'semver';
import { ESP_APP_HEADER_LENGTH, readEspAppHeader } from '@fieldflash/bundle';
import { sleep } from './throttle.ts';
import { LinkError } from './transport.ts';
import { UpdateError } from './update-error.ts';

export interface ReportedVersion {
  version: string;
  /** False while the device says it is still deciding (a FieldFlash agent's test boot): not its final word yet. */
  settled: boolean;
}

/** Reads the version the device reports; null when it answers but reports none; rejects with LinkError when it does not answer. */
export type VersionReader = () => Promise<ReportedVersion | null>;

export type CompatOutcome = 'new-version' | 'old-version' | 'unverified';

export interface CompatVerdict {
  outcome: CompatOutcome;
  /** What the device reports after the upload, where it reports anything. */
  version?: string;
  /** Why the verdict is what it is, in words. */
  reason: string;
}

export interface ComeBackOptions {
  readVersion: VersionReader;
  /** The versions that count as new: the release's, and the one the image's app descriptor names. */
  expected: readonly string[];
  /** How long the device has to come back (default 120 s). */
  timeoutMs?: number;
  /**
   * A device seen neither going away nor testing its image still reports the old version after this long: it
   * did not reboot into the image (default 30 s).
   */
  graceMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** The same version, read as SemVer where both are (so `v1.2.0` and `1.2.0+build` are 1.2.0). */
export function sameVersion(a: string, b: string): boolean {
  const x = semver.valid(semver.clean(a) ?? a);
  const y = semver.valid(semver.clean(b) ?? b);
  return x && y ? semver.eq(x, y) : a.trim() === b.trim();
}

/** The release's version, and the app descriptor's when the image is an ESP app image that names another. */
export async function expectedVersions(releaseVersion: string, image: Blob): Promise<string[]> {
  const header = readEspAppHeader(new Uint8Array(await image.slice(0, ESP_APP_HEADER_LENGTH).arrayBuffer()));
  const own = header?.app?.version;
  return own && !sameVersion(own, releaseVersion) ? [releaseVersion, own] : [releaseVersion];
}

/** Polls the device after an accepted upload until it reports the new version, the old one for good, or nothing. */
export async function waitForComeBack(options: ComeBackOptions): Promise<CompatVerdict> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const graceMs = options.graceMs ?? 30_000;
  const wanted = options.expected.join(' or ');
  let wentAway = false;
  while (Date.now() - started < timeoutMs) {
    let reported: ReportedVersion | null;
    try {
      reported = await options.readVersion();
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      wentAway = true; // rebooting
      await sleep(options.intervalMs ?? 500, options.signal);
      continue;
    }
    const waited = Date.now() - started >= graceMs;
    if (reported === null) {
      if (wentAway || waited) return { outcome: 'unverified', reason: 'The device answers again, but reports no version FieldFlash can read, so whether it runs the new image is not known.' };
    } else if (!reported.settled) {
      wentAway = true;
    } else if (options.expected.some((v) => sameVersion(v, reported.version))) {
      return { outcome: 'new-version', version: reported.version, reason: `The device came back reporting ${reported.version}.` };
    } else if (wentAway || waited) {
      return {
        outcome: 'old-version',
        version: reported.version,
        reason: `The device came back reporting ${reported.version}, not ${wanted}: it refused the image after the upload, or went back to its previous firmware.`,
      };
    }
    await sleep(options.intervalMs ?? 500, options.signal);
  }
  throw new UpdateError(`The device did not come back within ${Math.round(timeoutMs / 1000)} s after the upload. Check that it is powered and on the network; it may still be restarting.`);
}
