// Versions: FieldFlash orders releases by SemVer 2.0. Foreign manifests often say "0.100" or "v2.1";
// those are read as SemVer and the change is always reported in a note, never made silently. A version with no
// honest SemVer reading (a bare git hash such as "f4076f9-dirty") is kept as written and ordered by build time.
import semver from 'semver';
import { BUILD_TIME_ORDER_LABEL } from './release-order.ts';
import type { AppDescription } from './esp-image.ts';
import type { ReleaseNote } from './release.ts';

/** The semver library's own limit on a version's length. */
export const MAX_VERSION_LENGTH = 256;

/**
 * The one reading of versions in FieldFlash, by the semver library: SemVer 2.0 written canonically (no "v", no
 * spaces), at most MAX_VERSION_LENGTH characters, each number a safe integer. Whatever passes here, semver compares
 * without throwing, on the device as in the app.
 */
export function isSemver(text: string): boolean {
  if (text.length > MAX_VERSION_LENGTH) return false;
  const parsed = semver.parse(text);
  return parsed !== null && `${parsed.version}${parsed.build.length ? `+${parsed.build.join('.')}` : ''}` === text;
}

export interface NormalisedVersion {
  /** SemVer, or the declared text when `order` is 'build-time'. */
  version: string;
  note?: ReleaseNote;
  /** Present when no SemVer reading is honest: the release is ordered by its app's build time instead. */
  order?: 'build-time';
}

/**
 * Whether the first number in `text` stands on its own, as a version number does ("v0.8-7-g…", "0.100",
 * "Release 1.2"), rather than being part of a word such as a git hash ("f4076f9", "4076f9a") or "ESP32".
 */
function hasStandaloneNumber(text: string): boolean {
  const m = /\d+(?:\.\d+)*/.exec(text);
  if (!m) return false;
  const before = text.slice(0, m.index);
  const after = text[m.index + m[0].length];
  const gluedBefore = /[A-Za-z0-9]$/.test(before) && !/(^|[^A-Za-z0-9])[vV]$/.test(before);
  const gluedAfter = after !== undefined && /[A-Za-z]/.test(after);
  return !gluedBefore && !gluedAfter;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The build date and time in an app description (the compiler's __DATE__ "Sep  9 2023" and __TIME__ "15:48:10",
 * local to the build machine) as ISO 8601 without a zone: "2023-09-09T15:48:10". Undefined when the build left
 * them out or they do not read as a date.
 */
export function appBuildTime(app: Pick<AppDescription, 'date' | 'time'>): string | undefined {
  const d = /^([A-Z][a-z]{2}) +(\d{1,2}) +(\d{4})$/.exec(app.date.trim());
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(app.time.trim());
  const month = d ? MONTHS.indexOf(d[1]!) + 1 : 0;
  if (!d || !t || month === 0 || Number(d[2]) < 1 || Number(d[2]) > 31 || Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3]) > 59) return undefined;
  return `${d[3]}-${String(month).padStart(2, '0')}-${d[2]!.padStart(2, '0')}T${t[1]}:${t[2]}:${t[3]}`;
}

/**
 * Reads `declared` as SemVer where that is honest; otherwise keeps the text and orders the release by
 * `builtAt` (see appBuildTime). Returns undefined only for an empty version.
 */
export function normaliseVersion(declared: string, where: string, builtAt?: string): NormalisedVersion | undefined {
  const raw = declared.trim();
  if (isSemver(raw)) return { version: raw };
  const strict = semver.valid(raw);
  if (strict !== null) {
    if (strict === raw) return { version: strict };
    return { version: strict, note: { level: 'info', message: `${where} gives the version as "${declared}"; FieldFlash reads it as SemVer ${strict}.` } };
  }
  const coerced = hasStandaloneNumber(raw) ? semver.coerce(raw, { includePrerelease: true }) : null;
  if (coerced !== null) {
    return {
      version: coerced.version,
      note: {
        level: 'warning',
        message: `${where} gives the version as "${declared}", which is not SemVer 2.0; FieldFlash reads it as ${coerced.version} to order releases.`,
      },
    };
  }
  if (raw === '') return undefined;
  const when = builtAt ? `its build time, ${builtAt.replace('T', ' ')}` : 'its build time, which is not known, so it is listed after releases that have one';
  return {
    version: raw,
    order: 'build-time',
    note: { level: 'info', message: `${where} gives the version as "${raw}": ${BUILD_TIME_ORDER_LABEL}. FieldFlash keeps it as written and orders it by ${when}.` },
  };
}
