// Where the parts of an ESP Web Tools manifest live on the web, and where they go inside the release.
// Parts beside the manifest keep their paths, so the stored manifest is the published one byte for byte.
// A part elsewhere (an absolute URL, or outside the manifest's folder) is kept beside the manifest under its
// own file name, and the manifest is rewritten to name it there, so the release holds every file it needs.
import { dirname } from '../zip/entry-name.ts';
import type { ReleaseNote } from '../release.ts';

export interface RemotePart {
  /** The path as the manifest writes it. */
  written: string;
  /** Where it is fetched from. */
  url: string;
  /** Its path inside the release, relative to the release's root. */
  path: string;
}

export interface PartPlan {
  /** Parts to fetch, each URL once. */
  parts: RemotePart[];
  /** The manifest's text to store: the original unless a part had to be renamed. */
  manifestText: string;
  notes: ReleaseNote[];
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isUrl(written: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(written);
}

/** The `builds[].parts[].path` strings of an ESP Web Tools manifest; undefined when `json` is not one. */
export function partPaths(json: unknown): string[] | undefined {
  if (!isObject(json) || !Array.isArray(json.builds)) return undefined;
  const paths: string[] = [];
  for (const build of json.builds) {
    if (!isObject(build) || !Array.isArray(build.parts)) continue;
    for (const part of build.parts) if (isObject(part) && typeof part.path === 'string') paths.push(part.path);
  }
  return paths;
}

function safeSegment(segment: string): string {
  const cleaned = segment.replace(/[\u0000-\u001f\\:*?"<>|]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

/** The path below the manifest's folder, when `url` lies there; else undefined. */
function pathBeside(url: URL, manifestUrl: URL | undefined): string | undefined {
  if (!manifestUrl || url.origin !== manifestUrl.origin || url.search !== '') return undefined;
  const folder = manifestUrl.pathname.slice(0, manifestUrl.pathname.lastIndexOf('/') + 1);
  if (!url.pathname.startsWith(folder) || url.pathname.length === folder.length) return undefined;
  try {
    return url.pathname.slice(folder.length).split('/').map((s) => safeSegment(decodeURIComponent(s))).join('/');
  } catch {
    return undefined;
  }
}

function fileNameOf(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop() ?? 'part.bin';
  try {
    return safeSegment(decodeURIComponent(last));
  } catch {
    return safeSegment(last);
  }
}

/**
 * Plans the download of a manifest's parts. `manifestUrl` is where the manifest came from (undefined for a dropped
 * manifest: then only parts written as URLs are fetched, the others must be among the dropped files).
 * `manifestPath` is the manifest's path inside the release; `taken` lists paths already used there.
 */
export function planParts(manifestText: string, json: JsonObject, manifestPath: string, manifestUrl: string | undefined, taken: Iterable<string> = []): PartPlan {
  const base = manifestUrl ? new URL(manifestUrl) : undefined;
  const folder = dirname(manifestPath);
  const used = new Set<string>([manifestPath, ...taken]);
  const byUrl = new Map<string, RemotePart>();
  const renamed = new Map<string, string>();
  const notes: ReleaseNote[] = [];
  for (const written of partPaths(json) ?? []) {
    if (!base && !isUrl(written)) continue;
    const url = new URL(written, base).href;
    const existing = byUrl.get(url);
    if (existing) {
      const relativePath = existing.path.slice(folder.length);
      if (relativePath !== written) renamed.set(written, relativePath);
      continue;
    }
    let relative = pathBeside(new URL(url), base);
    if (relative === undefined || relative !== written.replace(/^\.\//, '')) {
      if (relative === undefined || used.has(folder + relative)) {
        const name = fileNameOf(new URL(url));
        relative = name;
        for (let n = 2; used.has(folder + relative); n++) relative = name.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`);
      }
      renamed.set(written, relative);
      notes.push({
        level: 'info',
        message: `${manifestPath} names a part at ${url}; FieldFlash keeps it in the release as ${folder + relative}, and its copy of the manifest names it there.`,
      });
    }
    used.add(folder + relative);
    byUrl.set(url, { written, url, path: folder + relative });
  }
  let text = manifestText;
  if (renamed.size > 0) {
    const copy = JSON.parse(manifestText) as JsonObject;
    for (const build of copy.builds as unknown[]) {
      if (!isObject(build) || !Array.isArray(build.parts)) continue;
      for (const part of build.parts) {
        if (isObject(part) && typeof part.path === 'string' && renamed.has(part.path)) part.path = renamed.get(part.path);
      }
    }
    text = `${JSON.stringify(copy, null, 2)}\n`;
  }
  return { parts: [...byUrl.values()], manifestText: text, notes };
}
