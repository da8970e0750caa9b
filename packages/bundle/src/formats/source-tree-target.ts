// A source-tree target of the native manifest: { "runtime": {...}, "sourceTree": { "root", "entry", "deviceLocal" } }
// (docs/bundle-format.md, "Source-tree releases"). Read here, and the manifest's files under the root marked as the tree.
import { BundleError } from '../errors.ts';
import { asArray, asObject, asString, invalid, type Json } from '../manifest-fields.ts';
import type { DeclaredFile, DraftBuild } from '../release-draft.ts';
import type { RuntimeRequirement, SourceTree } from '../release.ts';
import {
  DEFAULT_DEVICE_LOCAL, DEFAULT_ENTRY, devicePath, entryFiles, isDeviceLocal, MODULE_NAME, RUNTIME_NAMES, VERSION_FILE,
} from '../source-tree.ts';
import { isSemver } from '../version.ts';
import { dirname, resolveManifestPath } from '../zip/entry-name.ts';

function onlyFields(obj: Json, allowed: readonly string[], file: string, field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw invalid(file, `${field}.${key}`, `is not a field of the FieldFlash manifest format v1 (allowed here: ${allowed.join(', ')})`);
  }
}

export function isSourceTreeTarget(target: Json): boolean {
  return target.sourceTree !== undefined || target.runtime !== undefined;
}

function readRuntime(value: unknown, file: string, field: string): RuntimeRequirement {
  const raw = asObject(value, file, field);
  onlyFields(raw, ['name', 'minVersion'], file, field);
  if (!RUNTIME_NAMES.includes(raw.name as never)) throw invalid(file, `${field}.name`, `must be ${RUNTIME_NAMES.map((n) => `"${n}"`).join(' or ')}`, raw.name);
  const runtime: RuntimeRequirement = { name: raw.name as RuntimeRequirement['name'] };
  if (raw.minVersion !== undefined) {
    const min = asString(raw.minVersion, file, `${field}.minVersion`);
    if (!isSemver(min)) throw invalid(file, `${field}.minVersion`, 'must be a SemVer version such as "1.22.0" (MicroPython 1.22 is "1.22.0")', raw.minVersion);
    runtime.minVersion = min;
  }
  return runtime;
}

/** A device path as written in deviceLocal: relative, '/'-separated, never leaving the application's directory. */
function readDevicePath(value: unknown, file: string, field: string): string {
  const written = asString(value, file, field);
  const refuse = (why: string) =>
    new BundleError('unsafe-path', `${file}: "${field}" is "${written}", which ${why}.`, {
      file,
      field,
      hint: 'Write device-local paths relative to the source tree\'s root, such as "env.py" or "data/" for a folder.',
    });
  if (written.includes('\\')) throw refuse('uses backslashes');
  if (written.startsWith('/') || /^[A-Za-z]:/.test(written)) throw refuse('is an absolute path');
  const segments = (written.endsWith('/') ? written.slice(0, -1) : written).split('/');
  if (segments.some((s) => s === '..')) throw refuse('climbs out of the application\'s directory with ".."');
  if (segments.some((s) => s === '' || s === '.')) throw refuse('has an empty or "." folder name');
  return written;
}

function readRoot(value: unknown, file: string, field: string, manifestPath: string): string {
  const written = asString(value, file, field);
  // "." (or "./") is the manifest's own folder, which resolveManifestPath reads as naming no file.
  if (/^\.\/?$/.test(written)) return dirname(manifestPath).replace(/\/$/, '');
  return resolveManifestPath(manifestPath, written.replace(/\/+$/, ''), field);
}

function readTree(value: unknown, file: string, field: string, manifestPath: string): SourceTree {
  const raw = asObject(value, file, field);
  onlyFields(raw, ['root', 'entry', 'deviceLocal'], file, field);
  const root = readRoot(raw.root, file, `${field}.root`, manifestPath);
  const entry = raw.entry === undefined ? DEFAULT_ENTRY : asString(raw.entry, file, `${field}.entry`);
  // "main.py" reads as the module py in a package main; what was meant is the module main.
  if (!MODULE_NAME.test(entry) || /\.m?py$/.test(entry)) throw invalid(file, `${field}.entry`, 'must be a module name such as "main" or "app.main" (without ".py")', raw.entry);
  const deviceLocal = raw.deviceLocal === undefined
    ? [...DEFAULT_DEVICE_LOCAL]
    : asArray(raw.deviceLocal, file, `${field}.deviceLocal`).map((p, i) => readDevicePath(p, file, `${field}.deviceLocal[${i}]`));
  return { root, entry, deviceLocal };
}

/** Reads a target that carries a source tree; throws for one that mixes a tree with firmware images. */
export function readSourceTreeTarget(t: Json, file: string, field: string, manifestPath: string): Pick<DraftBuild, 'sourceTree'> & { runtime: RuntimeRequirement } {
  if (t.ota !== undefined || t.flash !== undefined) {
    throw invalid(file, field, 'has a source tree and firmware images ("ota" or "flash"); a target is one or the other, so give each its own target');
  }
  if (t.sourceTree === undefined) throw invalid(file, `${field}.sourceTree`, 'is needed beside "runtime": name the tree\'s "root" folder', t.sourceTree);
  if (t.runtime === undefined) {
    throw invalid(file, `${field}.runtime`, 'is needed beside "sourceTree": name what runs the tree, e.g. { "name": "micropython", "minVersion": "1.22.0" }', t.runtime);
  }
  return { runtime: readRuntime(t.runtime, file, `${field}.runtime`), sourceTree: readTree(t.sourceTree, file, `${field}.sourceTree`, manifestPath) };
}

/**
 * Marks the declared files under each tree's root as its `source` files, after every target was read, and refuses a
 * tree that would ship what the device keeps (a device-local file, the .version record), claims a firmware image,
 * overlaps another tree, or lacks its entry module.
 */
export function markSourceTreeFiles(builds: readonly DraftBuild[], files: DeclaredFile[], file: string): void {
  const images = new Map<string, string>();
  for (const b of builds) {
    const paths = [...(b.flash?.parts.map((p) => p.path) ?? []), ...(b.ota ? (b.ota.kind === 'either' ? [b.ota.image] : [b.ota.slot0, b.ota.slot1]) : [])];
    for (const p of paths) images.set(p, b.field);
  }
  const trees = builds.filter((b): b is DraftBuild & { sourceTree: SourceTree } => b.sourceTree !== undefined);
  for (const a of trees) {
    for (const b of trees) {
      const [ra, rb] = [a.sourceTree.root, b.sourceTree.root];
      if (ra !== rb && (ra === '' || rb.startsWith(`${ra}/`))) {
        throw invalid(file, `${b.field}.sourceTree.root`, `lies inside the source tree of ${a.field} ("${ra || '.'}"); trees must not overlap`, rb);
      }
    }
  }
  const marked = new Set<DeclaredFile>();
  for (const build of trees) {
    const tree = build.sourceTree;
    const where = `the source tree ${tree.root ? `${tree.root}/` : 'at the manifest\'s folder'}`;
    const inTree: string[] = [];
    for (const d of files) {
      const path = devicePath(tree.root, d.path);
      if (path === undefined) continue;
      if (images.has(d.path)) {
        throw invalid(file, d.field, `is in ${where} and is also a firmware image of ${images.get(d.path)}; put the tree in a folder of its own`, d.path);
      }
      if (path === VERSION_FILE) {
        throw invalid(file, d.field, `is ${VERSION_FILE} in ${where}: the device writes that file itself, from "version", when it installs the tree`, d.path, `Remove ${d.path} from the release and from "files"; "version" says it.`);
      }
      if (isDeviceLocal(path, tree.deviceLocal)) {
        throw invalid(
          file,
          d.field,
          `is ${path} in ${where}, which ${build.field} declares device-local: an update never writes it, so a release must not carry it`,
          d.path,
          `Remove ${d.path} from the release and from "files"; each device keeps its own ${path} (it may hold the device's secrets).`,
        );
      }
      if (d.role !== undefined && d.role !== 'source') throw invalid(file, d.field.replace(/\.path$/, '.role'), `must be "source" (or absent) for a file of ${where}`, d.role);
      d.role = 'source';
      marked.add(d);
      inTree.push(path);
    }
    const entry = entryFiles(tree.entry);
    if (!entry.some((p) => inTree.includes(p))) {
      throw new BundleError('missing-file', `${file}: "${build.field}.sourceTree.entry" is "${tree.entry}", but ${where} holds no ${entry.join(' or ')}.`, {
        file,
        field: `${build.field}.sourceTree.entry`,
        hint: `List ${tree.root ? `${tree.root}/` : ''}${entry[0]} in "files" and put it in the release, or name the module the device starts.`,
      });
    }
  }
  for (const d of files) {
    if (d.role === 'source' && !marked.has(d)) throw invalid(file, d.field.replace(/\.path$/, '.role'), 'is "source", but the file lies in no target\'s source tree', d.role);
  }
}
