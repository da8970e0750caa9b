// The native FieldFlash manifest, format v1 (docs/bundle-format.md, docs/bundle-format.schema.json).
import semver from 'semver';
import {
  asArray, asChipFamily, asInteger, asObject, asOffset, asSha256, asString, invalid, parseFlashSize, shown, type Json,
} from '../manifest-fields.ts';
import { resolveManifestPath } from '../zip/entry-name.ts';
import { BundleError } from '../errors.ts';
import { isSemver } from '../version.ts';
import { isSourceTreeTarget, markSourceTreeFiles, readSourceTreeTarget } from './source-tree-target.ts';
import type { DeclaredFile, DraftBuild, ReleaseDraft } from '../release-draft.ts';
import type { FileRole, FlashLayout, SlotImages, Target } from '../release.ts';

export const NATIVE_MANIFEST_NAME = 'fieldflash.json';
export const NATIVE_FORMAT = 'fieldflash-release';
export const NATIVE_FORMAT_VERSION = 1;

const ROLES: readonly FileRole[] = ['bootloader', 'partition-table', 'app', 'data', 'ota-data', 'source', 'other'];
const TOP_FIELDS = ['$schema', 'format', 'formatVersion', 'product', 'version', 'sequence', 'securityVersion', 'appliesTo', 'releaseNotes', 'targets', 'files'];
const TARGET_FIELDS = ['chipFamily', 'board', 'hardwareRevision', 'ota', 'flash', 'runtime', 'sourceTree'];
const FLASH_FIELDS = ['parts', 'erase', 'flashSize', 'flashMode', 'flashFreq'];
const FILE_FIELDS = ['path', 'size', 'sha256', 'role'];

export function isNativeManifest(json: Json): boolean {
  return json.format === NATIVE_FORMAT;
}

function onlyFields(obj: Json, allowed: readonly string[], file: string, field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw invalid(file, field ? `${field}.${key}` : key, `is not a field of the FieldFlash manifest format v1 (allowed here: ${allowed.join(', ')})`);
    }
  }
}

function readOta(value: unknown, file: string, field: string, resolve: (p: unknown, f: string) => string): SlotImages {
  const ota = asObject(value, file, field);
  if ('image' in ota) {
    onlyFields(ota, ['image'], file, field);
    return { kind: 'either', image: resolve(ota.image, `${field}.image`) };
  }
  onlyFields(ota, ['slot0', 'slot1'], file, field);
  if (!('slot0' in ota) || !('slot1' in ota)) throw invalid(file, field, 'needs "slot0" and "slot1", or one position-independent "image"', ota);
  return { kind: 'per-slot', slot0: resolve(ota.slot0, `${field}.slot0`), slot1: resolve(ota.slot1, `${field}.slot1`) };
}

function readFlash(value: unknown, file: string, field: string, resolve: (p: unknown, f: string) => string): FlashLayout {
  const flash = asObject(value, file, field);
  onlyFields(flash, FLASH_FIELDS, file, field);
  const parts = asArray(flash.parts, file, `${field}.parts`, { nonEmpty: true }).map((raw, i) => {
    const partField = `${field}.parts[${i}]`;
    const part = asObject(raw, file, partField);
    onlyFields(part, ['path', 'offset'], file, partField);
    const origin = { from: 'manifest' as const, manifest: file, field: `${partField}.offset` };
    return { path: resolve(part.path, `${partField}.path`), offset: asOffset(part.offset, file, `${partField}.offset`), origin };
  });
  if (flash.erase !== 'all' && flash.erase !== 'parts') throw invalid(file, `${field}.erase`, 'must be "all" or "parts"', flash.erase);
  const layout: FlashLayout = { parts, erase: flash.erase };
  if (flash.flashSize !== undefined) {
    const size = parseFlashSize(flash.flashSize);
    if (size === undefined) throw invalid(file, `${field}.flashSize`, 'must be a size such as "4MB" or a number of bytes', flash.flashSize);
    layout.flashSize = size;
  }
  if (flash.flashMode !== undefined) {
    if (!['keep', 'qio', 'qout', 'dio', 'dout'].includes(flash.flashMode as string)) {
      throw invalid(file, `${field}.flashMode`, 'must be one of keep, qio, qout, dio, dout', flash.flashMode);
    }
    layout.flashMode = flash.flashMode as FlashLayout['flashMode'];
  }
  const freq = optionalText(flash.flashFreq, file, `${field}.flashFreq`);
  if (freq !== undefined) layout.flashFreq = freq;
  return layout;
}

/** Optional fields of format v1 are absent or valid: null is not "absent". */
function optionalText(value: unknown, file: string, field: string): string | undefined {
  return value === undefined ? undefined : asString(value, file, field);
}

export function readNativeManifest(json: Json, manifestPath: string): ReleaseDraft {
  const file = manifestPath;
  if (json.format !== NATIVE_FORMAT) throw invalid(file, 'format', `must be "${NATIVE_FORMAT}"`, json.format);
  onlyFields(json, TOP_FIELDS, file, '');
  if (json.formatVersion !== NATIVE_FORMAT_VERSION) {
    const newer = typeof json.formatVersion === 'number' && json.formatVersion > NATIVE_FORMAT_VERSION;
    throw new BundleError('invalid-manifest', `${file}: "formatVersion" is ${shown(json.formatVersion)}; this FieldFlash reads format ${NATIVE_FORMAT_VERSION}.`, {
      file,
      field: 'formatVersion',
      hint: newer ? 'Update FieldFlash to read this release.' : `Set "formatVersion": ${NATIVE_FORMAT_VERSION}.`,
    });
  }
  const product = asString(json.product, file, 'product');
  const version = asString(json.version, file, 'version');
  if (!isSemver(version)) throw invalid(file, 'version', 'must be a SemVer 2.0 version such as "1.4.0" or "2.0.0-rc.1"', json.version);
  const sequence = asInteger(json.sequence, file, 'sequence');
  const securityVersion = asInteger(json.securityVersion, file, 'securityVersion', 0, 0xffffffff);
  optionalText(json.releaseNotes, file, 'releaseNotes');
  const appliesTo = optionalText(json.appliesTo, file, 'appliesTo');
  if (appliesTo !== undefined && semver.validRange(appliesTo) === null) {
    throw invalid(file, 'appliesTo', 'must be a SemVer range of the device versions the release applies to, such as ">=1.2.0 <2.0.0"', appliesTo);
  }

  const files: DeclaredFile[] = asArray(json.files, file, 'files', { nonEmpty: true }).map((raw, i) => {
    const field = `files[${i}]`;
    const entry = asObject(raw, file, field);
    onlyFields(entry, FILE_FIELDS, file, field);
    const declared: DeclaredFile = {
      path: resolveManifestPath(manifestPath, asString(entry.path, file, `${field}.path`), `${field}.path`),
      field: `${field}.path`,
      size: asInteger(entry.size, file, `${field}.size`),
      sha256: asSha256(entry.sha256, file, `${field}.sha256`),
    };
    if (entry.role !== undefined) {
      if (!ROLES.includes(entry.role as FileRole)) throw invalid(file, `${field}.role`, `must be one of ${ROLES.join(', ')}`, entry.role);
      declared.role = entry.role as FileRole;
    }
    return declared;
  });
  const seen = new Set<string>();
  files.forEach((f, i) => {
    if (seen.has(f.path)) throw invalid(file, `files[${i}].path`, 'lists a file a second time', f.path);
    seen.add(f.path);
  });
  const resolve = (value: unknown, field: string): string => {
    const path = resolveManifestPath(manifestPath, asString(value, file, field), field);
    if (!seen.has(path)) throw invalid(file, field, 'names a file that "files" does not list (every file needs its size and SHA-256 there)', value);
    return path;
  };

  const builds: DraftBuild[] = asArray(json.targets, file, 'targets', { nonEmpty: true }).map((raw, i) => {
    const field = `targets[${i}]`;
    const t = asObject(raw, file, field);
    onlyFields(t, TARGET_FIELDS, file, field);
    const tree = isSourceTreeTarget(t) ? readSourceTreeTarget(t, file, field, manifestPath) : undefined;
    // A source tree runs wherever its runtime does; naming a chip family narrows it to that chip.
    const target: Target = tree && t.chipFamily === undefined ? {} : { chipFamily: asChipFamily(t.chipFamily, file, `${field}.chipFamily`) };
    const board = optionalText(t.board, file, `${field}.board`);
    if (board !== undefined) target.board = board;
    const range = optionalText(t.hardwareRevision, file, `${field}.hardwareRevision`);
    if (range !== undefined) {
      if (semver.validRange(range) === null) throw invalid(file, `${field}.hardwareRevision`, 'must be a SemVer range such as ">=2.0.0 <4.0.0"', range);
      target.hardwareRevision = range;
    }
    if (tree) {
      target.runtime = tree.runtime;
      return { target, sourceTree: tree.sourceTree, field };
    }
    if (t.ota === undefined && t.flash === undefined) throw invalid(file, field, 'needs "ota" images, a "flash" layout, or both (or a "sourceTree" with its "runtime")', t);
    const build: DraftBuild = { target, field };
    if (t.ota !== undefined) build.ota = readOta(t.ota, file, `${field}.ota`, resolve);
    if (t.flash !== undefined) build.flash = readFlash(t.flash, file, `${field}.flash`, resolve);
    for (const p of build.ota ? (build.ota.kind === 'either' ? [build.ota.image] : [build.ota.slot0, build.ota.slot1]) : []) {
      const declared = files.find((f) => f.path === p);
      if (declared) declared.role ??= 'app';
    }
    return build;
  });
  markSourceTreeFiles(builds, files, file);

  return {
    format: 'fieldflash',
    manifestPath,
    product,
    declaredVersion: version,
    versionSource: manifestPath,
    sequence,
    securityVersion,
    ...(appliesTo !== undefined ? { appliesTo } : {}),
    builds,
    files,
    notes: [],
  };
}
