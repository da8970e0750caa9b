// What counts as the first load: the page's scripts and module preloads and their static imports, never the
// chunks behind import(). A small built page on disk, as Vite writes one.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFirstLoad, measureFirstLoad, pageScripts, staticImports } from '../../scripts/first-load.ts';

const FILES: Record<string, string> = {
  'index.html': [
    '<!doctype html><html><head>',
    '<script type="module" crossorigin src="/assets/index-a1.js"></script>',
    '<link rel="modulepreload" crossorigin href="/assets/shared-b2.js">',
    '<link rel="stylesheet" crossorigin href="/assets/index-c3.css">',
    '</head><body><div id="app"></div></body></html>',
  ].join('\n'),
  'assets/index-a1.js': 'import{a as b}from"./shared-b2.js";import"./polyfill-d4.js";const v=()=>import("./view-e5.js");export{c}from"./store-f6.js";b(v);',
  'assets/shared-b2.js': 'export const a=(f)=>f;',
  'assets/polyfill-d4.js': 'globalThis.x=1;',
  'assets/store-f6.js': 'import"./shared-b2.js";export const c=2;',
  'assets/view-e5.js': 'import"./heavy-g7.js";export default 1;',
  'assets/heavy-g7.js': 'x'.repeat(100_000),
  'assets/index-c3.css': 'body{margin:0}',
};

let dist: string;
beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'fieldflash-first-load-'));
  await mkdir(join(dist, 'assets'));
  for (const [path, text] of Object.entries(FILES)) await writeFile(join(dist, path), text);
});
afterAll(() => rm(dist, { recursive: true, force: true }));

describe('first load', () => {
  it('reads the module scripts and module preloads of the page, not its stylesheets', () => {
    expect(pageScripts(FILES['index.html']!)).toEqual(['/assets/index-a1.js', '/assets/shared-b2.js']);
  });

  it('follows import … from, export … from and bare imports, and leaves import() out', async () => {
    expect(await staticImports(FILES['assets/index-a1.js']!, 'index-a1.js')).toEqual(['./shared-b2.js', './polyfill-d4.js', './store-f6.js']);
  });

  it('counts each file of the static graph once, gzipped, and no lazy chunk', async () => {
    const load = await measureFirstLoad(dist);
    expect(load.files.map((f) => f.path).sort()).toEqual(['/assets/index-a1.js', '/assets/polyfill-d4.js', '/assets/shared-b2.js', '/assets/store-f6.js']);
    const expected = ['index-a1.js', 'polyfill-d4.js', 'shared-b2.js', 'store-f6.js'].reduce((n, f) => n + gzipSync(FILES[`assets/${f}`]!).length, 0);
    expect(load.gzipBytes).toBe(expected);
  });

  it('says when the total is over the budget', async () => {
    const load = await measureFirstLoad(dist);
    expect(describeFirstLoad(load, load.gzipBytes)).toContain('within the budget');
    expect(describeFirstLoad(load, load.gzipBytes - 1)).toContain('OVER the budget');
  });

  it('names the missing build', async () => {
    await expect(measureFirstLoad(join(dist, 'nothing-here'))).rejects.toThrow(/run npm run build first/);
  });
});
