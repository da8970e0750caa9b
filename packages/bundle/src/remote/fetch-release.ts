// Releases from the web: a manifest URL, an ESP Web Tools install page, or a release zip's URL. Everything is
// downloaded first, then handed to readBundle as a dropped folder or zip would be, so it is verified the same way.
import { resolveLimits, type BundleLimits } from '../limits.ts';
import { readBundle, type BundleInput, type ReadProgress } from '../read-bundle.ts';
import type { Release, ReleaseNote } from '../release.ts';
import { startsLikeZip } from '../zip/directory.ts';
import { download, hostOf, type Network } from './download.ts';
import { installButtonManifests, looksLikeHtml, scriptedManifests } from './install-page.ts';
import { isUrl, partPaths, planParts } from './manifest-parts.ts';
import { RemoteError } from './remote-error.ts';

export type FetchProgress =
  | {
      phase: 'download';
      /** What is being downloaded: "the manifest", "Application.bin"… */
      current: string;
      url: string;
      /** Parts downloaded, of the parts the manifest names (0 of 0 until it is read). */
      partsDone: number;
      partsTotal: number;
      /** Bytes downloaded so far, all downloads together. */
      bytesDone: number;
      /** Bytes of the current download, and its size when the server says. */
      currentDone: number;
      currentTotal: number | undefined;
    }
  | ReadProgress;

export interface FetchOptions extends Network {
  limits?: Partial<BundleLimits>;
  onProgress?: (progress: FetchProgress) => void;
}

export interface FetchedRelease {
  /** The verified releases, as readBundle returns them, with notes on anything renamed. */
  releases: Release[];
  /** The manifest URLs read (none for a zip). */
  manifests: string[];
}

const MAX_PAGE_SIZE = 4 * 1024 * 1024;

function badUrl(url: string, why: string): RemoteError {
  return new RemoteError('bad-url', `"${url}" ${why}.`, { url, hint: 'Paste the full address of a manifest.json, an install page or a release zip, starting with https://.' });
}

/** Parses what a technician typed into an absolute http(s) URL. */
export function parseReleaseUrl(typed: string): string {
  const text = typed.trim();
  if (!text) throw badUrl(typed, 'is empty');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`);
  } catch {
    throw badUrl(text, 'is not a web address');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badUrl(text, 'is not an http or https address');
  url.hash = '';
  return url.href;
}

function fileName(url: string, fallback: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  try {
    return last ? decodeURIComponent(last).replace(/[\u0000-\u001f\\/:*?"<>|]/g, '_') : fallback;
  } catch {
    return fallback;
  }
}

class Downloads {
  bytesDone = 0;
  partsDone = 0;
  partsTotal = 0;
  readonly limits: BundleLimits;
  constructor(private readonly options: FetchOptions) {
    this.limits = resolveLimits(options.limits);
  }
  async get(url: string, current: string, what: string, maxSize: number) {
    const before = this.bytesDone;
    const report = (done: number, total: number | undefined) => {
      this.bytesDone = before + done;
      this.options.onProgress?.({
        phase: 'download', current, url, partsDone: this.partsDone, partsTotal: this.partsTotal, bytesDone: this.bytesDone, currentDone: done, currentTotal: total,
      });
    };
    const room = this.limits.maxTotalSize - before;
    return download(url, { what }, this.options, { maxSize: Math.min(maxSize, room) }, report);
  }
}

function parseManifest(text: string, url: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new RemoteError('not-a-release', `${url} is not valid JSON (${(error as Error).message}), so it is not a manifest FieldFlash can read.`, {
      url,
      hint: 'Paste the address of the ESP Web Tools manifest.json, its install page, or the release zip.',
    });
  }
  if (partPaths(json) === undefined) {
    throw new RemoteError('not-a-release', `${url} is JSON, but not an ESP Web Tools manifest (it has no "builds" list).`, {
      url,
      hint: 'Paste the address of the ESP Web Tools manifest.json, its install page, or the release zip.',
    });
  }
  return json as Record<string, unknown>;
}

/** Downloads a manifest's parts and returns the manifest and parts as the files of a folder. */
async function manifestBundle(published: Blob, manifestUrl: string, downloads: Downloads): Promise<Fetched> {
  const manifestText = (await published.text()).replace(/^\uFEFF/, '');
  const json = parseManifest(manifestText, manifestUrl);
  const manifestPath = fileName(manifestUrl, 'manifest.json');
  const plan = planParts(manifestText, json, manifestPath, manifestUrl);
  downloads.partsTotal += plan.parts.length;
  // Unless a part had to be renamed, the manifest kept is the published file, byte for byte.
  const manifest = plan.manifestText === manifestText ? published : new Blob([plan.manifestText], { type: 'application/json' });
  const files: Array<{ path: string; data: Blob }> = [{ path: manifestPath, data: manifest }];
  for (const part of plan.parts) {
    const got = await downloads.get(part.url, part.path.split('/').pop()!, `the part ${part.written} named by ${manifestPath}`, downloads.limits.maxFileSize);
    files.push({ path: part.path, data: got.data });
    downloads.partsDone++;
  }
  return { input: { name: manifestUrl, files }, notes: plan.notes };
}

/** What was downloaded for one release, and what FieldFlash changed on the way (a renamed part). */
interface Fetched {
  input: BundleInput;
  notes: ReleaseNote[];
}

async function readFetched(fetched: readonly Fetched[], downloads: Downloads, options: FetchOptions): Promise<Release[]> {
  const releases: Release[] = [];
  for (const { input, notes } of fetched) {
    for (const release of await readBundle(input, { limits: downloads.limits, onProgress: options.onProgress })) {
      if (releases.some((r) => r.id === release.id)) continue;
      release.notes.push(...notes);
      releases.push(release);
    }
  }
  return releases;
}

/** The releases an install page offers: every manifest its buttons name, else the ones its script would set. */
async function pageManifests(html: string, pageUrl: string, downloads: Downloads): Promise<Array<Fetched & { manifestUrl: string }>> {
  const out: Array<Fetched & { manifestUrl: string }> = [];
  const named = installButtonManifests(html, pageUrl);
  for (const manifestUrl of named) {
    const manifest = await downloads.get(manifestUrl, fileName(manifestUrl, 'manifest.json'), `the manifest named by the install page ${pageUrl}`, downloads.limits.maxManifestSize);
    out.push({ ...(await manifestBundle(manifest.data, manifest.url, downloads)), manifestUrl: manifest.url });
  }
  if (named.length > 0) return out;
  // The page picks its manifest from script: try each address it can build, keep those that are manifests.
  for (const candidate of scriptedManifests(html, pageUrl)) {
    let manifest;
    try {
      manifest = await downloads.get(candidate, fileName(candidate, 'manifest.json'), `the manifest ${candidate}`, downloads.limits.maxManifestSize);
    } catch (error) {
      if (error instanceof RemoteError && error.code === 'missing') continue;
      throw error;
    }
    const text = (await manifest.data.text()).replace(/^\uFEFF/, '');
    if (!text.trimStart().startsWith('{') || !isManifestText(text)) continue;
    const fetched = await manifestBundle(manifest.data, manifest.url, downloads);
    fetched.notes.push({ level: 'info', message: `The install page ${pageUrl} picks its manifest by script; FieldFlash read ${manifest.url} from it.` });
    out.push({ ...fetched, manifestUrl: manifest.url });
  }
  if (out.length === 0) {
    throw new RemoteError('no-install-button', `The page at ${pageUrl} has no ESP Web Tools install button naming a manifest (<esp-web-install-button manifest="…">), so FieldFlash cannot tell which firmware it offers.`, {
      url: pageUrl,
      hint: 'Paste the address of the manifest.json or of the release zip instead.',
    });
  }
  return out;
}

function isManifestText(text: string): boolean {
  try {
    return partPaths(JSON.parse(text)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Downloads the release at `url` (a manifest, an install page naming manifests, or a zip), then reads and
 * verifies it with readBundle. Throws RemoteError (network, address) or BundleError (the release itself).
 */
export async function fetchRelease(url: string, options: FetchOptions): Promise<FetchedRelease> {
  const downloads = new Downloads(options);
  const first = await downloads.get(url, fileName(url, hostOf(url)), 'the release', downloads.limits.maxTotalSize);
  const inputs: Fetched[] = [];
  const manifests: string[] = [];
  if (await startsLikeZip(first.data)) {
    inputs.push({ input: { name: fileName(first.url, 'release.zip'), data: first.data }, notes: [] });
  } else {
    const text = (await first.data.slice(0, MAX_PAGE_SIZE).text()).replace(/^\uFEFF/, '');
    if (text.trimStart().startsWith('{')) {
      manifests.push(first.url);
      inputs.push(await manifestBundle(first.data, first.url, downloads));
    } else if (looksLikeHtml(text)) {
      for (const fetched of await pageManifests(text, first.url, downloads)) {
        manifests.push(fetched.manifestUrl);
        inputs.push(fetched);
      }
    } else {
      throw new RemoteError('not-a-release', `${first.url} is neither a manifest, an install page nor a zip, so FieldFlash cannot read a release from it.`, {
        url: first.url,
        hint: 'Paste the address of the ESP Web Tools manifest.json, its install page, or the release zip.',
      });
    }
  }
  return { releases: await readFetched(inputs, downloads, options), manifests };
}

/** Whether a dropped folder holds an ESP Web Tools manifest naming a part by URL (read from small .json files only). */
export async function namesRemoteParts(files: ReadonlyArray<{ path: string; data: Blob }>, limits?: Partial<BundleLimits>): Promise<boolean> {
  return (await remoteManifests(files, resolveLimits(limits))).length > 0;
}

async function remoteManifests(files: ReadonlyArray<{ path: string; data: Blob }>, limits: BundleLimits) {
  const found: Array<{ path: string; text: string; json: Record<string, unknown> }> = [];
  for (const file of files) {
    if (!/\.json$/i.test(file.path) || file.data.size > limits.maxManifestSize || /(^|\/)\._/.test(file.path)) continue;
    const text = (await file.data.text()).replace(/^\uFEFF/, '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue; // readBundle says what is wrong with it
    }
    if (partPaths(json)?.some(isUrl)) found.push({ path: file.path, text, json: json as Record<string, unknown> });
  }
  return found;
}

/**
 * A dropped manifest whose parts are URLs: downloads those parts into the folder (manifest rewritten to name
 * them there) and reads it with readBundle. Without such a manifest, it is readBundle alone.
 */
export async function readBundleFetchingParts(input: { name: string; files: Array<{ path: string; data: Blob }> }, options: FetchOptions): Promise<Release[]> {
  const downloads = new Downloads(options);
  const notes: ReleaseNote[] = [];
  let files = [...input.files];
  for (const manifest of await remoteManifests(files, downloads.limits)) {
    const plan = planParts(manifest.text, manifest.json, manifest.path, undefined, files.map((f) => f.path));
    notes.push(...plan.notes);
    downloads.partsTotal += plan.parts.length;
    const fetched: Array<{ path: string; data: Blob }> = [];
    for (const part of plan.parts) {
      const got = await downloads.get(part.url, part.path.split('/').pop()!, `the part ${part.written} named by ${manifest.path}`, downloads.limits.maxFileSize);
      fetched.push({ path: part.path, data: got.data });
      downloads.partsDone++;
    }
    files = files.map((f) => (f.path === manifest.path ? { path: f.path, data: new Blob([plan.manifestText], { type: 'application/json' }) } : f));
    files.push(...fetched);
  }
  return readFetched([{ input: { name: input.name, files }, notes }], downloads, options);
}
