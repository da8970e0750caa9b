// Import benchmark: a 32 MiB ESP Web Tools release imported through FieldFlash's library view in Chromium,
// against the native baseline measured in the same run on the same zip (unzip -t, then sha256sum of its files).
// Targets: import time at most 2x the baseline; peak JS memory at most 3x the bundle's size.
// Then a technician's shelf: 50 small releases imported one after another into one library; an import into a
// library of 40 should cost what one into an empty library does (last 10 against first 10, target at most 1.15x;
// beside it what the same releases show going into an empty library at the same moments). And the memory an import
// takes is given back: JS memory after the 50th import, after garbage collection, within 10 % of after the first.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStaticServer } from '../scripts/static-server.mjs';
import { launchBrowser } from '../test/e2e/browser.ts';
import { importThroughApp, type AppImportFigures } from './lib/app-import.ts';
import { benchReleaseFiles, zipRelease } from './lib/firmware-bundle.ts';
import { importShelfOneByOne, type ImportFigures, type ShelfImportFigures, type ShelfMemory } from './lib/shelf-import.ts';
import type { JsMemory } from './lib/js-memory.ts';
import { shelfReleases } from '../test/e2e/shelf.support.ts';
import { extract, nativeCheckSeconds, requireTools } from './lib/native-baseline.ts';
import { reportRow } from './lib/report-rows.ts';

const OUT = resolve('.bench/import');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
const sec = (n: number) => `${n.toFixed(3)} s`;
const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

requireTools();
if (process.env.FIELDFLASH_SKIP_BUILD !== '1' || !existsSync('dist/index.html')) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

await rm(OUT, { recursive: true, force: true });
await mkdir(join(OUT, 'files'), { recursive: true });
const files = await benchReleaseFiles();
const zipPath = join(OUT, 'bench-gateway-3.2.0.zip');
await writeFile(zipPath, await zipRelease(files));
extract(zipPath, join(OUT, 'files'));
const filesSize = files.reduce((n, f) => n + f.bytes.length, 0);
const zipSize = (await stat(zipPath)).size;
const extracted = files.map((f) => join(OUT, 'files', f.path));

console.log(`Import benchmark: ${files.length} files, ${mib(filesSize)} unpacked, ${mib(zipSize)} zipped (${((zipSize / filesSize) * 100).toFixed(0)} %).`);
console.log(`Each figure is the median of ${RUNS} runs; baseline and app measured alternately in this run.\n`);

const server = await startStaticServer({ root: 'dist', port: 0 });
const browser = await launchBrowser();
const native: Array<ReturnType<typeof nativeCheckSeconds>> = [];
const first: AppImportFigures[] = [];
const again: AppImportFigures[] = [];
const shelfPasses: ShelfImportFigures[][] = [];
const shelfMemory: ShelfMemory[] = [];
// The heap is sampled over CDP, answered by the page between its own tasks: when the machine is busy, an import
// may run with hardly a sample taken, and its peak is then not known. Such a run's peak is left out.
const MIN_SAMPLES = 10;
const sampled = (f: AppImportFigures) => f.samples >= MIN_SAMPLES;
try {
  nativeCheckSeconds(zipPath, extracted); // warm the page cache, as the browser's read will be warm too
  for (let run = 0; run < RUNS; run++) {
    const n = nativeCheckSeconds(zipPath, extracted);
    const a = await importThroughApp(browser, server.url, zipPath);
    native.push(n);
    first.push(a.first);
    again.push(a.again);
    const show = (f: AppImportFigures) =>
      `${sec(f.importSeconds)} (read+verify ${sec(f.readSeconds)}, store ${sec(f.saveSeconds)}, peak ${mib(f.peakHeapBytes)}${sampled(f) ? '' : ` from only ${f.samples} samples, left out`})`;
    console.log(`  run ${run + 1}: native ${sec(n.total)} (unzip -t ${sec(n.unzip)} + sha256sum ${sec(n.sha256)}); FieldFlash first import ${show(a.first)}; again ${show(a.again)}`);
  }
  const zips = (await shelfReleases()).map((r) => ({ name: r.zipName, product: r.product, version: r.version, zip: r.zip }));
  for (let run = 0; run < RUNS; run++) {
    const pass = await importShelfOneByOne(browser, server.url, zips);
    shelfPasses.push(pass.imports);
    shelfMemory.push(pass.memory);
  }
} finally {
  await browser.close();
  await server.close();
}

const nativeTotal = median(native.map((n) => n.total));
const verdict = (ok: boolean) => (ok ? 'within target' : 'MISSES target');
console.log('');
console.log(`native baseline (unzip -t + sha256sum):   ${sec(nativeTotal)}`);
for (const [label, figures] of [
  ['first import after opening FieldFlash', first],
  ['same import again, same page (warm)  ', again],
] as const) {
  const importTime = median(figures.map((a) => a.importSeconds));
  const readTime = median(figures.map((a) => a.readSeconds));
  const saveTime = median(figures.map((a) => a.saveSeconds));
  const known = figures.filter(sampled);
  const peak = median(known.map((a) => a.peakHeapBytes));
  const peakHeapOnly = median(known.map((a) => a.peakHeapOnlyBytes));
  const before = median(known.map((a) => a.heapBeforeBytes));
  const timeRatio = importTime / nativeTotal;
  const heapRatio = peak / filesSize;
  console.log(`${label}: ${sec(importTime)} = ${timeRatio.toFixed(2)}x baseline (target <= 2x: ${verdict(timeRatio <= 2)})`);
  console.log(`    read + verify ${sec(readTime)} = ${(readTime / nativeTotal).toFixed(2)}x baseline; store in IndexedDB ${sec(saveTime)}`);
  console.log(
    `    peak JS memory (V8 heap + ArrayBuffers) ${mib(peak)} = ${heapRatio.toFixed(2)}x bundle size (target <= 3x: ${verdict(heapRatio <= 3)}); ` +
      `growth during the import ${mib(peak - before)}; V8 heap alone ${mib(peakHeapOnly)}`,
  );
  const what = label.trim();
  const baseline = { name: 'unzip -t + sha256sum', value: nativeTotal, unit: 's' };
  reportRow({ name: `${what}: 32 MiB bundle`, value: importTime, unit: 's', baseline, ratio: timeRatio, ratioOf: 'x baseline', target: { atMost: 2 }, runs: figures.map((a, i) => a.importSeconds / native[i]!.total) });
  reportRow({ name: `${what}: peak JS memory`, value: peak / MiB, unit: 'MiB', baseline: { name: 'bundle size', value: filesSize / MiB, unit: 'MiB' }, ratio: heapRatio, ratioOf: 'x bundle size', target: { atMost: 3 }, runs: figures.map((a) => a.peakHeapBytes / filesSize) });
}

// The same import again in the same page must not peak higher: the first import's buffers are given back, not
// left for the garbage collector to find during the second. The peak is sampled every few milliseconds, so one
// sample may miss the top by a chunk or two: 10 % either way is no growth.
const pairs = first.map((f, i) => ({ first: f, again: again[i]! }));
const peakAgain = median(pairs.filter((p) => sampled(p.first) && sampled(p.again)).map((p) => p.again.peakHeapBytes / p.first.peakHeapBytes));
console.log(
  `peak JS memory of the import again / of the first: ${peakAgain.toFixed(2)}x (target: no growth, <= 1.1x: ${verdict(peakAgain <= 1.1)})` +
    `   [runs: ${pairs.map((p) => `${mib(p.first.peakHeapBytes)} -> ${mib(p.again.peakHeapBytes)}${sampled(p.first) && sampled(p.again) ? '' : ' (left out)'}`).join('; ')}]`,
);
reportRow({ name: 'peak JS memory of the 32 MiB import again / of the first', value: peakAgain, unit: 'x', target: { atMost: 1.1 }, runs: pairs.map((p) => p.again.peakHeapBytes / p.first.peakHeapBytes) });

// A shelf of 50: does an import cost more as the library grows? Each pass starts from an empty library in a
// fresh profile and sets the median of the last 10 imports against the first 10. The same releases, imported at
// the same moments into a second library kept empty, give the baseline: how much of that ratio is the machine
// (other work, a warmer JIT) rather than the library's size.
const ms = (n: number) => `${n.toFixed(1)} ms`;
const shelfSize = shelfPasses[0]?.length ?? 0;
const lastTen = `${shelfSize - 10}-${shelfSize - 1}`;
const GROWTH_TARGET = 1.15;
console.log('');
console.log(`${shelfSize} small releases imported one after another into one library; last 10 imports / first 10 (medians; median of ${RUNS} passes):`);
for (const [label, pick] of [
  ['import (read, verify, store)', (f: ImportFigures) => f.importMs],
  ['  of which read and verify', (f: ImportFigures) => f.readMs],
  ['  of which store in IndexedDB', (f: ImportFigures) => f.saveMs],
  ['import until on screen in the list', (f: ImportFigures) => f.onScreenMs],
] as const) {
  const passes = shelfPasses.map((pass) => {
    const early = median(pass.slice(0, 10).map(pick));
    const late = median(pass.slice(-10).map(pick));
    const emptyEarly = median(pass.slice(0, 10).map((f) => pick(f.empty)));
    const emptyLate = median(pass.slice(-10).map((f) => pick(f.empty)));
    return { early, late, ratio: late / early, baseline: emptyLate / emptyEarly };
  });
  const ratio = median(passes.map((p) => p.ratio));
  const baseline = median(passes.map((p) => p.baseline));
  const growth = median(passes.map((p) => p.ratio / p.baseline));
  const target = label.startsWith(' ') ? '' : ` (target <= ${GROWTH_TARGET}x: ${verdict(ratio <= GROWTH_TARGET)})`;
  console.log(
    `  ${label.padEnd(36)} ${ratio.toFixed(2)}x${target}; into an empty library ${baseline.toFixed(2)}x, so ${growth.toFixed(2)}x beyond it` +
      `   [passes: ${passes.map((p) => `${p.ratio.toFixed(2)}x, ${ms(p.early)} -> ${ms(p.late)}`).join('; ')}]`,
  );
  reportRow({
    name: `shelf of ${shelfSize}, ${label.trim()}: last 10 imports / first 10`,
    value: ratio,
    unit: 'x',
    baseline: { name: 'the same imports into an empty library', value: baseline, unit: 'x' },
    ratio: growth,
    ratioOf: 'growth beyond the empty library',
    target: label.startsWith(' ') ? undefined : { atMost: GROWTH_TARGET },
    runs: passes.map((p) => p.ratio / p.baseline),
  });
}
console.log(`  (first 10: imports into a library of 0-9 releases; last 10: into ${lastTen})`);

// Memory given back: after garbage collection, the JS memory (V8 heap and ArrayBuffers) after the 50th import
// against after the first. Compiled code is shown apart: it grows while the JIT warms to the import, whatever
// the import keeps. In the library kept empty, each release is deleted again, so what remains is what the imports
// left behind; in the growing library, the 50 releases listed take their share too.
const KiB = 1024;
const memoryTarget = 1.1;
const show = (m: JsMemory) => `${mib(m.dataBytes)} data + ${mib(m.codeBytes)} code`;
console.log('');
console.log(`JS memory after garbage collection, after import ${shelfSize} / after import 1 (V8 heap + ArrayBuffers; median of ${RUNS} passes):`);
for (const [label, pick, judged] of [
  ['library kept empty (each release deleted again)', (m: ShelfMemory) => m.keptEmpty, true],
  [`library growing to ${shelfSize} releases`, (m: ShelfMemory) => m.growing, false],
] as const) {
  const passes = shelfMemory.map(pick);
  const dataRatio = median(passes.map((p) => p.last.dataBytes / p.first.dataBytes));
  const totalRatio = median(passes.map((p) => p.last.totalBytes / p.first.totalBytes));
  const perRelease = median(passes.map((p) => (p.last.dataBytes - p.first.dataBytes) / (shelfSize - 1)));
  const target = judged ? ` (target <= ${memoryTarget}x: ${verdict(dataRatio <= memoryTarget)})` : `; ${(perRelease / KiB).toFixed(1)} KiB of data per release listed`;
  console.log(
    `  ${label.padEnd(48)} data ${dataRatio.toFixed(2)}x${target}; with compiled code ${totalRatio.toFixed(2)}x` +
      `   [passes: ${passes.map((p) => `${show(p.first)} -> ${show(p.last)}`).join('; ')}]`,
  );
  reportRow({
    name: `JS memory after GC, ${label}: after import ${shelfSize} / after import 1 (data)`,
    value: dataRatio,
    unit: 'x',
    target: judged ? { atMost: memoryTarget } : undefined,
    runs: passes.map((p) => p.last.dataBytes / p.first.dataBytes),
  });
}
