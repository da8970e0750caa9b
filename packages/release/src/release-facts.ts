// The facts a device compares before it takes an update: product, version, sequence and security version. The
// sequence is always the release engineer's to give; the others may come from the app image's description, and
// where both are given and differ, the engineer is told, since a device that reads the image will see the difference.
import semver from 'semver';
import { appBuildTime, isSemver, normaliseVersion } from '@fieldflash/bundle';
import { required, wholeNumber } from './options.ts';
import { usageProblem } from './problem.ts';
import type { PackPlan } from './pack-plan.ts';

const MAX_U32 = 0xffffffff;

export interface FactOptions {
  product?: string | undefined;
  version?: string | undefined;
  sequence?: string | undefined;
  'security-version'?: string | undefined;
  'applies-to'?: string | undefined;
}

export interface ReleaseFacts {
  product: string;
  version: string;
  sequence: number;
  securityVersion: number;
  appliesTo?: string;
}

function versionFromApp(app: NonNullable<PackPlan['app']>, inform: (line: string) => void): string {
  const where = `the app description in ${app.path}`;
  const read = normaliseVersion(app.description.version, where, appBuildTime(app.description));
  if (!read || read.order === 'build-time') {
    throw usageProblem(`${where} gives the version as "${app.description.version}", which has no SemVer reading.`, 'Give the release a SemVer version with --version, e.g. --version 1.4.0.');
  }
  if (read.note) inform(`note: ${read.note.message}`);
  return read.version;
}

export function releaseFacts(options: FactOptions, plan: PackPlan, inform: (line: string) => void): ReleaseFacts {
  const app = plan.app;
  const product = options.product?.trim() || app?.description.projectName;
  if (!product) throw usageProblem('--product is missing.', 'For example: --product "Widget"');
  let version: string;
  if (options.version !== undefined) {
    if (!isSemver(options.version)) throw usageProblem(`--version: "${options.version}" is not a SemVer version.`, 'For example: --version 1.4.0 or --version 2.0.0-rc.1');
    version = options.version;
    const own = app && normaliseVersion(app.description.version, app.path)?.version;
    if (own && own !== version) inform(`warning: --version ${version}, but ${app.path} calls itself "${app.description.version}"; devices that read the image will see its own version.`);
  } else if (app) {
    version = versionFromApp(app, inform);
  } else {
    throw usageProblem('--version is missing.', 'For example: --version 1.4.0');
  }
  const sequence = wholeNumber('sequence', required(options.sequence, 'sequence', '--sequence 42 (one more than the last release of this product)'), 0, MAX_U32);
  let securityVersion: number;
  if (options['security-version'] !== undefined) {
    securityVersion = wholeNumber('security-version', options['security-version'], 0, MAX_U32);
    if (app && app.description.secureVersion !== securityVersion) {
      inform(`warning: --security-version ${securityVersion}, but ${app.path} was built with secure_version ${app.description.secureVersion}; a device with anti-rollback enforces the image's.`);
    }
  } else if (app) {
    securityVersion = app.description.secureVersion;
  } else {
    throw usageProblem('--security-version is missing (no app image states one).', 'For example: --security-version 0; raise it only when older releases must never run again.');
  }
  const appliesTo = options['applies-to'];
  if (appliesTo !== undefined && semver.validRange(appliesTo) === null) {
    throw usageProblem(`--applies-to: "${appliesTo}" is not a SemVer range.`, 'For example: --applies-to ">=1.2.0 <2.0.0"');
  }
  return { product, version, sequence, securityVersion, ...(appliesTo !== undefined ? { appliesTo } : {}) };
}
