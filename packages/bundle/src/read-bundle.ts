// readBundle: a dropped zip, folder or single .bin in, verified Releases out. Nothing is returned (and so
// nothing can be stored) unless every check passed; any failure is one BundleError saying what to do.
import { assembleRelease } from './assemble.ts';
import { BundleError } from './errors.ts';
import { formatBytes, resolveLimits, type BundleLimits } from './limits.ts';
import { loadFile, type LoadedFile } from './loaded-file.ts';
import { recogniseManifests } from './recognise.ts';
import { BundleFiles } from './release-draft.ts';
import type { Release, ReleaseNote } from './release.ts';
import { startsLikeZip } from './zip/directory.ts';
import { discardBytes } from './zip/discard-bytes.ts';
import { checkEntryName } from './zip/entry-name.ts';
import { unzipFiles } from './zip/unzip.ts';
import { isOsClutter } from './os-clutter.ts';

export type BundleInput =
  | { name: string; data: Blob } // a dropped .zip or a single .bin
  | { name: string; files: Array<{ path: string; data: Blob }> }; // the files of a dropped folder

export interface ReadProgress {
  phase: 'unzip' | 'verify';
  done: number;
  total: number;
}

export interface ReadOptions {
  limits?: Partial<BundleLimits>;
  onProgress?: (p: ReadProgress) => void;
}

function tooBig(name: string, why: string): BundleError {
  return new BundleError('zip-bomb', `${name} ${why}, so FieldFlash refuses to read it.`, {
    file: name,
    hint: 'Check that this is the right release. If it is genuine, raise the bundle limits in the settings.',
  });
}

async function loadFolder(input: { name: string; files: Array<{ path: string; data: Blob }> }, limits: BundleLimits, options: ReadOptions, leftOut: string[]): Promise<LoadedFile[]> {
  if (input.files.length > limits.maxFiles) throw tooBig(input.name, `holds ${input.files.length} files, more than the ${limits.maxFiles} allowed`);
  const total = input.files.reduce((n, f) => n + f.data.size, 0);
  if (total > limits.maxTotalSize) throw tooBig(input.name, `holds ${formatBytes(total)}, more than the ${formatBytes(limits.maxTotalSize)} allowed`);
  const seen = new Set<string>();
  const named = input.files.map((f) => {
    const path = checkEntryName(f.path, input.name, { allowLeadingSlash: true });
    if (seen.has(path)) {
      throw new BundleError('duplicate-entry', `${input.name} holds "${path}" twice.`, { file: path, hint: 'Drop a folder in which every file appears once.' });
    }
    seen.add(path);
    if (f.data.size > limits.maxFileSize) throw tooBig(path, `has ${formatBytes(f.data.size)}, more than the ${formatBytes(limits.maxFileSize)} allowed for one file`);
    return { path, data: f.data };
  }).filter((f) => (isOsClutter(f.path) ? (leftOut.push(f.path), false) : true));
  const loaded: Array<Promise<LoadedFile>> = [];
  const kept = named.reduce((n, f) => n + f.data.size, 0);
  let done = 0;
  for (const { path, data } of named) {
    const bytes = new Uint8Array(await data.arrayBuffer());
    loaded.push(loadFile(path, bytes, data, limits.maxManifestSize));
    discardBytes(bytes); // loadFile has read all it needs, as for a file from a zip
    done += data.size;
    options.onProgress?.({ phase: 'unzip', done, total: kept });
  }
  return Promise.all(loaded);
}

async function loadBlob(input: { name: string; data: Blob }, limits: BundleLimits, options: ReadOptions, leftOut: string[]): Promise<LoadedFile[]> {
  if (/\.zip$/i.test(input.name) || (await startsLikeZip(input.data))) {
    // Digests run in the background while the next entry inflates; each loadFile copies what it keeps.
    const loaded: Array<Promise<LoadedFile>> = [];
    const progress = (done: number, total: number) => options.onProgress?.({ phase: 'unzip', done, total });
    try {
      const skip = (path: string) => isOsClutter(path) && (leftOut.push(path), true);
      for await (const file of unzipFiles(input.data, input.name, limits, progress, skip)) {
        loaded.push(loadFile(file.path, file.bytes, file.blob, limits.maxManifestSize));
      }
    } catch (err) {
      await Promise.allSettled(loaded);
      throw err;
    }
    return Promise.all(loaded);
  }
  if (input.data.size > limits.maxFileSize) throw tooBig(input.name, `has ${formatBytes(input.data.size)}, more than the ${formatBytes(limits.maxFileSize)} allowed for one file`);
  const name = input.name.split(/[\\/]/).pop() || 'firmware.bin';
  const bytes = new Uint8Array(await input.data.arrayBuffer());
  options.onProgress?.({ phase: 'unzip', done: bytes.length, total: bytes.length });
  const loaded = loadFile(name, bytes, input.data, limits.maxManifestSize);
  discardBytes(bytes);
  return [await loaded];
}

function clutterNote(paths: readonly string[]): ReleaseNote {
  const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
  const count = paths.length === 1 ? '1 file' : `${paths.length} files`;
  return { level: 'info', message: `Left out ${count} that the operating system added, not part of the release: ${shown}.` };
}

/** Reads a bundle into one Release per manifest it holds. Throws BundleError. */
export async function readBundle(input: BundleInput, options: ReadOptions = {}): Promise<Release[]> {
  const limits = resolveLimits(options.limits);
  // Files the operating system added (__MACOSX/, ._*, .DS_Store, Thumbs.db, desktop.ini) are not part of the release.
  const leftOut: string[] = [];
  const loaded = 'files' in input ? await loadFolder(input, limits, options, leftOut) : await loadBlob(input, limits, options, leftOut);
  const nonEmpty = loaded.filter((f) => f.size > 0 || f.path !== '');
  if (nonEmpty.length === 0 || loaded.every((f) => f.size === 0)) {
    throw new BundleError('empty-bundle', `${input.name} holds no files.`, { file: input.name, hint: 'Check that you picked the release itself, not an empty folder or zip.' });
  }
  const files = new BundleFiles(loaded);
  const drafts = recogniseManifests(files, input.name);
  const claimed = new Set<string>();
  for (const d of drafts) {
    if (d.manifestPath) claimed.add(d.manifestPath);
    if (d.signature) claimed.add(d.signature.path);
    d.files.forEach((f) => claimed.add(f.path));
    // Left out of the release on purpose (and said in a note): not carried along as extra files either.
    d.excluded?.forEach((path) => claimed.add(path));
  }
  const extras = loaded.filter((f) => !claimed.has(f.path));
  const total = drafts.reduce((n, d) => n + d.files.length, 0);
  let done = 0;
  options.onProgress?.({ phase: 'verify', done, total });
  const releases: Release[] = [];
  for (const draft of drafts) {
    const release = await assembleRelease(draft, files, input.name, extras, () => options.onProgress?.({ phase: 'verify', done: ++done, total }));
    if (leftOut.length > 0) release.notes.push(clutterNote(leftOut));
    if (!releases.some((r) => r.id === release.id)) releases.push(release);
  }
  return releases;
}
