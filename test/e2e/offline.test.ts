// After one online visit FieldFlash works with the network gone: the shell starts, the library and its
// releases are there, details open, the lazily loaded Flash view opens, the demo releases load.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { fixtureZip, libraryReady, pickFiles, PARTS, RELEASE, releaseRow, releaseRows } from './library.support.ts';

/** What public/demo/index.json lists (scripts/make-demo-release.ts): the demo firmware and the MicroPython application. */
const DEMO_RELEASES = ['FieldFlash Demo 1.0.0', 'Bench Sensor 1.0.0', 'Bench Sensor 1.1.0'];

let app: AppSession;

beforeAll(async () => {
  app = await openApp('/');
});
afterAll(async () => app?.close());

test('one online visit: the service worker takes the page and says it is ready to work offline', async () => {
  const { page } = app;
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await libraryReady(page);
  expect(await pickFiles(page, 'logibus-dualout.zip', await fixtureZip())).toBe('added');
});

test('with the web server stopped and the browser offline, the app still starts with its library', async () => {
  const { page, context } = app;
  await app.stopServer();
  await context.setOffline(true);
  // The network really is gone: nothing answers a request the service worker does not cover.
  const reachable = await page.evaluate(() => fetch('/not-precached.txt').then(() => true, () => false));
  expect(reachable).toBe(false);

  await page.reload();
  await page.getByRole('heading', { name: 'FieldFlash', level: 1 }).waitFor();
  await releaseRow(page).waitFor();
  await releaseRow(page).getByRole('button', { name: `Details of ${RELEASE}` }).click();
  const dialog = page.getByRole('dialog', { name: RELEASE });
  await dialog.waitFor();
  const rows = await dialog.getByRole('table', { name: 'Flash parts for ESP32' }).getByRole('row').allInnerTexts();
  expect(rows.slice(1).map((r) => r.split('\t')[0]!.trim())).toEqual(PARTS.map((p) => p.offset));
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('offline, the lazily loaded Flash view still opens', async () => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Flash' }).click();
  await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
  expect(await page.getByText(/could not load/).count()).toBe(0);
});

test('offline, the MicroPython agent that the Flash view installs over USB is at hand', async () => {
  const { page } = app;
  // Bundled at build time into a chunk of its own, loaded only when someone installs the agent.
  const chunk = readdirSync('dist/assets').find((name) => /^agent-files-.*\.js$/.test(name));
  expect(chunk).toBeDefined();
  const source = await page.evaluate((url) => fetch(url).then((r) => (r.ok ? r.text() : `HTTP ${r.status}`)), `/assets/${chunk}`);
  expect(source).toContain('def hmac_sha256(key, message):');
});

test('offline, the lazily loaded Devices view still opens', async () => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('heading', { name: 'Add a device' }).waitFor();
  expect(await page.getByText(/could not load/).count()).toBe(0);
});

test('offline, the demo releases (precached with the app) still load', async () => {
  const { page } = app;
  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByRole('button', { name: 'Load demo release' }).click();
  for (const name of DEMO_RELEASES) await releaseRow(page, name).waitFor({ timeout: 30_000 });
  // Each one next to the release imported online, and nothing else.
  expect(await releaseRows(page).count()).toBe(1 + DEMO_RELEASES.length);
});
