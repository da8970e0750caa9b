// Library list benchmark: how long the list of a technician's shelf (50 real releases) takes from the render a
// change starts to the painted frame, when the library opens and when every row is built again (a filter that
// matched nothing, cleared). Baseline in the same run and page: the same list holding one release. Target: at most
// 100 ms for the 50, the median of five; the page measures itself (User Timing `fieldflash:library:list`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startStaticServer } from '../scripts/static-server.mjs';
import { launchBrowser } from '../test/e2e/browser.ts';
import { shelfReleases } from '../test/e2e/shelf.support.ts';
import { reportRow } from './lib/report-rows.ts';

const ROUNDS = 5;
const BUDGET_MS = 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.env.FIELDFLASH_SKIP_BUILD !== '1' || !existsSync('dist/index.html')) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

async function lastRender(page: Page, rows: number): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => performance.getEntriesByName('fieldflash:library:list', 'measure').findLast((m) => (m as PerformanceMeasure).detail?.rows === n)?.duration,
    rows,
  );
  return (await handle.jsonValue()) as number;
}

/** Opening the library from the Flash view, and building every row again through the filter: ROUNDS of each. */
async function measureList(page: Page, rows: number): Promise<{ opening: number[]; rebuilding: number[] }> {
  const views = page.getByRole('navigation', { name: 'Views' });
  const clear = () => page.evaluate(() => performance.clearMeasures('fieldflash:library:list'));
  const opening: number[] = [];
  const rebuilding: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await views.getByRole('link', { name: 'Flash' }).click();
    await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
    await clear();
    await views.getByRole('link', { name: 'Library' }).click();
    opening.push(await lastRender(page, rows));
  }
  const filter = page.getByRole('searchbox', { name: 'Filter' });
  for (let round = 0; round < ROUNDS; round++) {
    await filter.fill('no such release');
    await lastRender(page, 0);
    await clear();
    await filter.fill('');
    rebuilding.push(await lastRender(page, rows));
  }
  return { opening, rebuilding };
}

const shelf = await shelfReleases();
const server = await startStaticServer({ root: 'dist', port: 0 });
const browser = await launchBrowser();
let one: Awaited<ReturnType<typeof measureList>>;
let fifty: Awaited<ReturnType<typeof measureList>>;
try {
  const page = await (await browser.newContext()).newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url);
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  const input = page.getByLabel('Release zip or .bin files');
  const pick = (releases: typeof shelf) => input.setInputFiles(releases.map((r) => ({ name: r.zipName, mimeType: 'application/zip', buffer: r.zip })));
  await pick(shelf.slice(0, 1));
  await page.getByRole('status').getByText('1 release', { exact: true }).waitFor({ timeout: 60_000 });
  one = await measureList(page, 1);
  await pick(shelf.slice(1));
  await page.getByRole('status').getByText(`${shelf.length} releases`, { exact: true }).waitFor({ timeout: 120_000 });
  fifty = await measureList(page, shelf.length);
} finally {
  await browser.close();
  await server.close();
}

const show = (xs: number[]) => xs.map((ms) => ms.toFixed(1)).join(', ');
console.log(`Library list, render to painted frame (${ROUNDS} rounds each; target: ${shelf.length} rows within ${BUDGET_MS} ms, median):`);
for (const [what, key] of [
  ['opening the library', 'opening'],
  ['every row built again', 'rebuilding'],
] as const) {
  const many = median(fifty[key]);
  const single = median(one[key]);
  console.log(`  ${what}: ${shelf.length} rows ${many.toFixed(1)} ms [${show(fifty[key])}]; 1 row ${single.toFixed(1)} ms [${show(one[key])}]; ${(many / single).toFixed(2)}x`);
  reportRow({
    name: `list of ${shelf.length} releases, ${what}: render to painted frame`,
    value: many,
    unit: 'ms',
    baseline: { name: 'the same list holding 1 release', value: single, unit: 'ms' },
    note: `median of ${ROUNDS}`,
    target: { atMost: BUDGET_MS },
    runs: fifty[key],
  });
}
