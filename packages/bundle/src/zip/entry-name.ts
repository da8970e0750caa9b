// Names inside a bundle: refuse anything that could escape the bundle or mean two things on two systems.
import { BundleError } from '../errors.ts';

const HINT = 'Re-create the zip with relative paths only (for example with "zip -r" from inside the release folder).';

/**
 * Checks a zip entry name (or a dropped folder's relative path) and returns it '/'-separated, without "./" segments.
 * Directory names keep their trailing '/'. With `backslashSeparates` (zips made on Windows), '\' is read as '/'
 * first, and every check below applies to the result.
 */
export function checkEntryName(raw: string, bundleName: string, options: { allowLeadingSlash?: boolean; backslashSeparates?: boolean } = {}): string {
  const refuse = (why: string) =>
    new BundleError('unsafe-path', `${bundleName}: the entry "${raw}" ${why}, so FieldFlash will not unpack it.`, {
      file: raw,
      hint: HINT,
    });
  if (raw.length === 0) throw refuse('has an empty name');
  let name = raw;
  if (options.backslashSeparates) name = name.replace(/\\/g, '/');
  else if (raw.includes('\\')) throw refuse('uses backslashes, which Windows reads as folder separators, but the zip was not made on Windows');
  if (/[\u0000-\u001f]/.test(name)) throw refuse('contains control characters');
  if (/^[A-Za-z]:/.test(name)) throw refuse('starts with a drive letter');
  if (name.startsWith('/')) {
    if (!options.allowLeadingSlash) throw refuse('is an absolute path');
    name = name.replace(/^\/+/, '');
  }
  const isDirectory = name.endsWith('/');
  const segments = (isDirectory ? name.slice(0, -1) : name).split('/');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '..') throw refuse('climbs out of the bundle with ".."');
    if (segment === '') throw refuse('has an empty folder name ("//")');
    if (segment !== '.') kept.push(segment);
  }
  if (kept.length === 0) throw refuse('names no file');
  return kept.join('/') + (isDirectory ? '/' : '');
}

/** The folder part of a bundle path ("" at the root), with a trailing '/'. */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/** Resolves a path written in a manifest relative to the manifest's folder, refusing escapes. */
export function resolveManifestPath(manifestPath: string, written: string, field: string): string {
  const refuse = (why: string) =>
    new BundleError('unsafe-path', `${manifestPath}: ${field} is "${written}", which ${why}.`, {
      file: manifestPath,
      field,
      hint: 'Write part paths relative to the manifest, without ".." or a leading "/".',
    });
  if (written.includes('\\')) throw refuse('uses backslashes');
  if (/^[A-Za-z]:/.test(written) || written.startsWith('/')) throw refuse('is an absolute path');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(written)) throw refuse('is a URL; a bundle must hold its own files');
  const parts = (dirname(manifestPath) + written).split('/');
  const kept: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (kept.length === 0) throw refuse('climbs out of the bundle with ".."');
      kept.pop();
    } else kept.push(p);
  }
  if (kept.length === 0) throw refuse('names no file');
  return kept.join('/');
}
