// Versions: FieldFlash orders releases by SemVer 2.0. Foreign manifests often say "0.100" or "v2.1";
// those are read as SemVer and the change is always reported in a note, never made silently.
import semver from 'semver';
import type { ReleaseNote } from './release.ts';

/** SemVer 2.0 exactly (semver.org's regular expression): no "v" prefix, build metadata allowed. */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export interface NormalisedVersion {
  version: string;
  note?: ReleaseNote;
}

/** Returns undefined when nothing version-like can be read from `declared`. */
export function normaliseVersion(declared: string, where: string): NormalisedVersion | undefined {
  const raw = declared.trim();
  if (SEMVER_PATTERN.test(raw)) return { version: raw };
  const strict = semver.valid(raw);
  if (strict !== null) {
    if (strict === raw) return { version: strict };
    return { version: strict, note: { level: 'info', message: `${where} gives the version as "${declared}"; FieldFlash reads it as SemVer ${strict}.` } };
  }
  const coerced = semver.coerce(raw, { includePrerelease: true });
  if (coerced === null) return undefined;
  return {
    version: coerced.version,
    note: {
      level: 'warning',
      message: `${where} gives the version as "${declared}", which is not SemVer 2.0; FieldFlash reads it as ${coerced.version} to order releases.`,
    },
  };
}
