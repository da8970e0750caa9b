// The JavaScript a browser must fetch before the first paint of the Library view: the scripts of the built
// index.html, the modules it preloads, and every module those import statically, each gzipped as a server sends it.
// Chunks behind import() (the Flash and Devices views, the release details, the import code) load later; they do
// not count.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImportType, init, parse } from 'es-module-lexer';

/** The first load's budget in bytes of gzipped JavaScript (kB as Vite reports them, 1000 bytes). */
export const FIRST_LOAD_BUDGET_BYTES = 25_000;

export interface FirstLoadFile {
  /** Path as the page asks for it, e.g. /assets/index-abc.js. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface FirstLoad {
  files: FirstLoadFile[];
  bytes: number;
  gzipBytes: number;
}

// Built pages are served from one origin; a stand-in base lets URL resolve "./x.js" against "/assets/y.js".
const ORIGIN = 'http://first-load.invalid';

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) found.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
  return found;
}

/** The script sources and module preloads of an HTML page, in order. */
export function pageScripts(html: string): string[] {
  const paths: string[] = [];
  for (const [tag, name] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag.slice(name!.length + 1, -1));
    if (name!.toLowerCase() === 'script' && attrs.has('src')) paths.push(attrs.get('src')!);
    if (name!.toLowerCase() === 'link' && attrs.get('rel')?.split(/\s+/).includes('modulepreload') && attrs.has('href')) paths.push(attrs.get('href')!);
  }
  return paths;
}

/** The specifiers a module imports statically (import … from, export … from, import '…'); import() is left out. */
export async function staticImports(code: string, name: string): Promise<string[]> {
  await init;
  const [imports] = parse(code, name);
  return imports.filter((i) => i.t === ImportType.Static).map((i) => {
    if (i.n === undefined) throw new Error(`${name} imports a specifier that is not a plain string: ${code.slice(i.ss, i.se)}`);
    return i.n;
  });
}

function sameOriginPath(specifier: string, from: string): string {
  const url = new URL(specifier, ORIGIN + from);
  if (url.origin !== ORIGIN) throw new Error(`${from} loads ${specifier} from another origin; the first load can only be measured in the build`);
  return url.pathname;
}

/** Measures the first load of the build in `distDir` (its index.html and what that pulls in statically). */
export async function measureFirstLoad(distDir: string): Promise<FirstLoad> {
  const html = await readFile(join(distDir, 'index.html'), 'utf8').catch((error: unknown) => {
    throw new Error(`No built page at ${join(distDir, 'index.html')} (${String(error)}): run npm run build first.`);
  });
  const queue = pageScripts(html).map((src) => sameOriginPath(src, '/index.html'));
  const files: FirstLoadFile[] = [];
  const seen = new Set<string>();
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    if (seen.has(path)) continue;
    seen.add(path);
    const bytes = await readFile(join(distDir, path));
    files.push({ path, bytes: bytes.length, gzipBytes: gzipSync(bytes).length });
    for (const specifier of await staticImports(bytes.toString('utf8'), path)) queue.push(sameOriginPath(specifier, path));
  }
  return { files, bytes: files.reduce((n, f) => n + f.bytes, 0), gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0) };
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;

/** The first load as a short table, largest file first, with the total against the budget. */
export function describeFirstLoad(load: FirstLoad, budget = FIRST_LOAD_BUDGET_BYTES): string {
  const lines = [...load.files].sort((a, b) => b.gzipBytes - a.gzipBytes).map((f) => `  ${kB(f.gzipBytes).padStart(9)} gzipped  ${kB(f.bytes).padStart(9)}  ${f.path}`);
  const verdict = load.gzipBytes <= budget ? 'within' : 'OVER';
  return [
    `First load of the Library view: ${load.files.length} JavaScript files, ${kB(load.gzipBytes)} gzipped (${kB(load.bytes)}), ${verdict} the budget of ${kB(budget)}:`,
    ...lines,
  ].join('\n');
}
