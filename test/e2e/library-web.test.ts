// Releases from the web in Chromium: the real LOGIBUS DualOut release served from 127.0.0.1 as GitHub Pages serves a
// project site (CORS: "Access-Control-Allow-Origin: *"), a second CORS host for an absolute part URL, and a host
// without CORS. Added through the "Add from URL" form; checked on screen and in IndexedDB; offline for real.
import { mkdir, readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeAppImage } from '../../packages/bundle/src/index.ts';
import { installPage, startReleaseSite, type ReleaseSite } from '../../packages/bundle/test/release-site.ts';
import { openApp, type AppSession } from './browser.ts';
import { fixtureFiles, dismissImportFailure, importOutcome, libraryReady, pickFiles, PRODUCT, sha256, storedRecords, type FixtureFile } from './library.support.ts';

const FOLDER = 'firmware_esp-idf-v5.1';
const SHOTS = process.env.FIELDFLASH_SCREENSHOTS;
let app: AppSession;
let pages: ReleaseSite; // the project's GitHub Pages site
let cdn: ReleaseSite; // another host with CORS, for a part given as an absolute URL
let plain: ReleaseSite; // a host that sends no CORS headers
let files: FixtureFile[];
let manifestText: string;

const bytesOf = (name: string) => files.find((f) => f.path.endsWith(name))!.bytes;

function manifestWith(version: string, parts: Record<string, string>): string {
  const json = JSON.parse(manifestText);
  json.version = version;
  for (const part of json.builds[0].parts) {
    const name = part.path.split('/').pop();
    if (parts[name]) part.path = parts[name];
  }
  return JSON.stringify(json, null, 2);
}

function publish(site: ReleaseSite, root: string): void {
  for (const f of files) site.put(`${root}${f.path}`, f.bytes);
  site.put(`${root}index.html`, installPage('LOGIBUS DualOut ESP32', 'manifest.json'));
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** Types the address and presses "Add from URL"; waits until the form says added, already there, or failed. */
async function addFromUrl(page: Page, url: string, wait = true): Promise<string> {
  const panel = page.getByRole('region', { name: 'Add from the web' });
  // A failure left on screen is dismissed first, so the outcome read below is this address's.
  const dismiss = panel.getByRole('button', { name: 'Dismiss' });
  if (await dismiss.count()) await dismiss.click();
  await dismiss.waitFor({ state: 'detached' });
  await panel.getByLabel('Release address').fill(url);
  await panel.getByRole('button', { name: 'Add from URL' }).click();
  if (!wait) return '';
  const outcome = panel.getByText(/^Fetched .* and stored it in the library\.|was already in the library/).or(panel.getByRole('alert').filter({ hasText: 'Could not add the release' }));
  await outcome.first().waitFor({ timeout: 60_000 });
  return outcome.first().innerText();
}

/** A manifest.json picked through the file input, as a technician picks one saved from a project's site. */
async function pickManifest(page: Page, bytes: Buffer): Promise<'added' | 'already' | 'failed'> {
  await dismissImportFailure(page);
  await page.getByLabel('Release zip or .bin files').setInputFiles({ name: 'manifest.json', mimeType: 'application/json', buffer: bytes });
  return importOutcome(page);
}

/** SHA-256 of every stored file of the release kept from `url`, computed in the page from the bytes in IndexedDB. */
async function storedDigests(page: Page, url: string): Promise<Record<string, string>> {
  return page.evaluate(
    (url) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['releases', 'files']);
          const all = tx.objectStore('releases').getAll();
          all.onsuccess = () => {
            const release = all.result.find((r: { source?: { url: string } }) => r.source?.url === url);
            const files = tx.objectStore('files').index('by-release').getAll(release.id);
            files.onsuccess = async () => {
              const out: Record<string, string> = {};
              for (const f of files.result as Array<{ path: string; data: Blob }>) {
                const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await f.data.arrayBuffer()));
                out[f.path] = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
              }
              open.result.close();
              resolve(out);
            };
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    url,
  );
}

/** The source kept with each stored release, straight from IndexedDB. */
async function storedSources(page: Page): Promise<Array<{ version: string; url?: string; fetchedAt?: number }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('releases').objectStore('releases').getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result.map((r: { version: string; source?: { url: string; fetchedAt: number } }) => ({ version: r.version, url: r.source?.url, fetchedAt: r.source?.fetchedAt })));
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

beforeAll(async () => {
  files = await fixtureFiles();
  manifestText = bytesOf('manifest.json').toString('utf8');
  [pages, cdn, plain] = await Promise.all([startReleaseSite({ cors: true }), startReleaseSite({ cors: true }), startReleaseSite({ cors: false })]);
  publish(pages, '/logibus-dualout/');
  publish(plain, '/logibus-dualout/');
  // The same release with its app on another host, given by absolute URL.
  cdn.put('/releases/0.100/Application.bin', bytesOf('Application.bin'));
  pages.put('/logibus-dualout/split/manifest.json', manifestWith('0.100', { 'Application.bin': `${cdn.origin}/releases/0.100/Application.bin` }));
  pages.put('/logibus-dualout/nocors-part/manifest.json', manifestWith('0.100', { 'Application.bin': `${plain.origin}/logibus-dualout/${FOLDER}/Application.bin` }));
  for (const dir of ['split', 'nocors-part']) {
    for (const name of ['bootloader.bin', 'partition-table.bin']) pages.put(`/logibus-dualout/${dir}/${FOLDER}/${name}`, bytesOf(name));
  }
  pages.put('/logibus-dualout/broken/manifest.json', manifestText);
  pages.put(`/logibus-dualout/broken/${FOLDER}/bootloader.bin`, bytesOf('bootloader.bin'));
  app = await openApp('/');
  await app.page.setViewportSize({ width: 1280, height: 800 });
  // Offline, code the page has not used yet (adding from the web, the bundle reader) comes from the service worker,
  // as after any first visit: the offline cases below start once it controls the page.
  await app.page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  await libraryReady(app.page);
});
afterAll(async () => {
  await app?.close();
  await Promise.all([pages?.close(), cdn?.close(), plain?.close()]);
});

describe('failures say what happened and store nothing', () => {
  test('offline: "connect once to fetch …", and no request leaves the browser', async () => {
    const { page, context } = app;
    await context.setOffline(true);
    try {
      const text = await addFromUrl(page, `${pages.origin}/logibus-dualout/`);
      expect(text).toContain(`This laptop is offline: connect once to fetch ${pages.origin}/logibus-dualout/.`);
      await shot(page, 'web-error-offline');
      expect(pages.requests).toEqual([]);
    } finally {
      await context.setOffline(false);
    }
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });

  test('a host without CORS headers is named, with the zip suggested instead', async () => {
    const { page } = app;
    const text = await addFromUrl(page, `${plain.origin}/logibus-dualout/manifest.json`);
    expect(text).toContain(`${plain.host} answered, but does not let other web apps read its files (it sends no CORS header)`);
    expect(text).toContain(`What to do: Download the release zip from ${plain.host} in a browser tab, then drop the zip here.`);
    await shot(page, 'web-error-cors');
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });

  test('a part on a host without CORS fails the whole release, after the other parts were fetched', async () => {
    const { page } = app;
    pages.requests.length = 0;
    const text = await addFromUrl(page, `${pages.origin}/logibus-dualout/nocors-part/manifest.json`);
    expect(text).toContain(`${plain.host} answered, but does not let other web apps read its files`);
    expect(text).toContain(`the part ${plain.origin}/logibus-dualout/${FOLDER}/Application.bin named by manifest.json`);
    expect(pages.requests).toContain(`/logibus-dualout/nocors-part/${FOLDER}/partition-table.bin`);
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });

  test('a missing part is named with its address', async () => {
    const { page } = app;
    const text = await addFromUrl(page, `${pages.origin}/logibus-dualout/broken/manifest.json`);
    expect(text).toContain(`The part ${FOLDER}/partition-table.bin named by manifest.json is missing: ${pages.origin}/logibus-dualout/broken/${FOLDER}/partition-table.bin answered 404 Not Found.`);
    await shot(page, 'web-error-missing-part');
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });

  test('a download can be cancelled half-way', async () => {
    const { page } = app;
    publish(pages, '/logibus-dualout/slow/');
    pages.throttle(`/logibus-dualout/slow/${FOLDER}/Application.bin`, 256 * 1024);
    await addFromUrl(page, `${pages.origin}/logibus-dualout/slow/manifest.json`, false);
    await page.getByText(/^Downloading Part 3 of 3: Application\.bin/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: `Fetching ${pages.origin}/logibus-dualout/slow/${FOLDER}/Application.bin was cancelled. Nothing was stored.` }).waitFor();
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });
});

describe('adding releases from the web', () => {
  test('a manifest with a part on another host: progress in bytes and parts, stored with its source, exported zip re-imports as the same release', async () => {
    const { page } = app;
    cdn.throttle('/releases/0.100/Application.bin', 1024 * 1024);
    const url = `${pages.origin}/logibus-dualout/split/manifest.json`;
    await addFromUrl(page, url, false);
    const progress = page.getByText(/^Downloading Part 3 of 3: Application\.bin, [\d.]+ (KiB|MiB) of 2\.0 MiB\. [\d.]+ (KiB|MiB) downloaded in all\.$/);
    await progress.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('progressbar', { name: 'Download progress' }).getAttribute('max')).toBe('2049184');
    await shot(page, 'web-progress');
    await page.getByText(`Fetched ${PRODUCT} 0.100.0 from ${url} and stored it in the library.`).waitFor({ timeout: 60_000 });
    await shot(page, 'web-added');
    expect(await storedRecords(page)).toEqual({ releases: 1, files: 4 });
    const [source] = await storedSources(page);
    expect(source!.url).toBe(url);
    expect(Date.now() - source!.fetchedAt!).toBeLessThan(120_000);
    expect(cdn.requests).toEqual(['/releases/0.100/Application.bin']);
    await page.getByRole('button', { name: `Details of ${PRODUCT} 0.100.0` }).click();
    const details = page.getByRole('dialog', { name: `${PRODUCT} 0.100.0` });
    expect(await details.innerText()).toMatch(new RegExp(`Fetched from\\s+${url.replace(/[.?]/g, '\\$&')} on `));
    await details.getByRole('button', { name: 'Close' }).click();
    await details.waitFor({ state: 'hidden' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export ${PRODUCT} 0.100.0 as zip` }).click()]);
    const exported = await readFile(await download.path());
    const zip = await JSZip.loadAsync(exported);
    expect(Object.keys(zip.files).sort()).toEqual(['Application.bin', `${FOLDER}/bootloader.bin`, `${FOLDER}/partition-table.bin`, 'manifest.json']);
    expect((await zip.file('Application.bin')!.async('nodebuffer')).equals(bytesOf('Application.bin'))).toBe(true);
    expect(JSON.parse(await zip.file('manifest.json')!.async('string')).builds[0].parts[2]).toEqual({ path: 'Application.bin', offset: 65536 });
    expect(await pickFiles(page, 'exported.zip', exported)).toBe('already');
    expect(await storedRecords(page)).toEqual({ releases: 1, files: 4 });
  });

  test('an install page names its manifest; the published files are stored byte for byte', async () => {
    const { page } = app;
    const url = `${pages.origin}/logibus-dualout/`;
    expect(await addFromUrl(page, url)).toBe(`Fetched ${PRODUCT} 0.100.0 from ${url} and stored it in the library.`);
    expect(await storedRecords(page)).toEqual({ releases: 2, files: 8 });
    expect((await storedSources(page)).map((s) => s.url).sort()).toEqual([url, `${pages.origin}/logibus-dualout/split/manifest.json`].sort());
    expect(await storedDigests(page, url)).toEqual(Object.fromEntries(files.map((f) => [f.path, sha256(f.bytes)])));
    // The same release as its zip, from a URL: already there.
    pages.put('/downloads/logibus-dualout.zip', await (async () => {
      const zip = new JSZip();
      for (const f of files) zip.file(f.path, f.bytes);
      return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    })());
    expect(await addFromUrl(page, `${pages.origin}/downloads/logibus-dualout.zip`)).toContain(`${PRODUCT} 0.100.0 from ${pages.origin}/downloads/logibus-dualout.zip was already in the library`);
    expect(await storedRecords(page)).toEqual({ releases: 2, files: 8 });
  });

  test('a dropped manifest whose parts are URLs: offline it says to connect, online its parts are fetched', async () => {
    const { page, context } = app;
    const base = `${pages.origin}/logibus-dualout/${FOLDER}`;
    const manifest = Buffer.from(manifestWith('0.100', Object.fromEntries(['bootloader.bin', 'partition-table.bin', 'Application.bin'].map((n) => [n, `${base}/${n}`]))));
    await context.setOffline(true);
    try {
      expect(await pickManifest(page, manifest)).toBe('failed');
      expect(await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText()).toContain(`connect once to fetch ${base}/bootloader.bin`);
    } finally {
      await context.setOffline(false);
    }
    expect(await storedRecords(page)).toEqual({ releases: 2, files: 8 });
    pages.throttle(`/logibus-dualout/${FOLDER}/Application.bin`, 1024 * 1024);
    const outcome = pickManifest(page, manifest);
    await page.getByText(/Downloading the parts its manifest names \(2 of 3 parts, [\d.]+ (KiB|MiB) downloaded\)/).waitFor({ timeout: 30_000 });
    expect(await outcome).toBe('added');
    expect(await storedRecords(page)).toEqual({ releases: 3, files: 12 });
  });
});

describe('checking for newer versions', () => {
  test('offers what changed, newest first, flags bytes changed under the same version, and adds only what is clicked', async () => {
    const { page } = app;
    // The project publishes 0.101 and 0.110 on its install page (listed oldest first), and the other host's app
    // changes without a new version number.
    const newApp = await writeAppImage({ chipFamily: 'ESP32', projectName: 'Application', version: 'v0.9' });
    for (const v of ['0.101', '0.110']) {
      pages.put(`/logibus-dualout/${v}/manifest.json`, manifestWith(v, { 'Application.bin': 'app.bin' }));
      pages.put(`/logibus-dualout/${v}/app.bin`, newApp);
      for (const name of ['bootloader.bin', 'partition-table.bin']) pages.put(`/logibus-dualout/${v}/${FOLDER}/${name}`, bytesOf(name));
    }
    pages.put(
      '/logibus-dualout/index.html',
      `<!doctype html><title>LOGIBUS</title>\n<esp-web-install-button manifest="0.101/manifest.json"></esp-web-install-button>\n<esp-web-install-button manifest="0.110/manifest.json"></esp-web-install-button>`,
    );
    cdn.put('/releases/0.100/Application.bin', await writeAppImage({ chipFamily: 'ESP32', projectName: 'Application', version: 'v0.8-rebuilt' }));

    await page.getByRole('button', { name: 'Check for newer versions' }).click();
    const results = page.getByRole('status', { name: 'Newer versions' });
    const offers = results.getByRole('list', { name: `Versions offered by ${pages.origin}/logibus-dualout/` });
    await offers.waitFor({ timeout: 60_000 });
    const items = await offers.getByRole('listitem').allInnerTexts();
    expect(items.map((t) => t.split('\n')[0])).toEqual([`${PRODUCT} 0.110.0`, `${PRODUCT} 0.101.0`]);
    expect(items[0]).toContain(`Newer than 0.100.0 on this device. Changes: the app (now app.bin, was ${FOLDER}/Application.bin) has different bytes; the manifest (manifest.json) has different bytes.`);
    const warning = await results.getByText(/changed at this address since it was fetched/).innerText();
    expect(warning).toContain(`${PRODUCT} 0.100.0 changed at this address`);
    expect(warning).toContain('the app (Application.bin) has different bytes, under the same version. FieldFlash keeps the copy it has.');
    await results.getByText(/changed at this address/).scrollIntoViewIfNeeded();
    await shot(page, 'web-newer-versions');
    expect(await storedRecords(page)).toEqual({ releases: 3, files: 12 });

    await offers.getByRole('button', { name: `Add ${PRODUCT} 0.110.0` }).click();
    await offers.getByText('Added to the library.').waitFor();
    expect(await storedRecords(page)).toEqual({ releases: 4, files: 16 });
    expect((await storedSources(page)).filter((s) => s.version === '0.110.0').map((s) => s.url)).toEqual([`${pages.origin}/logibus-dualout/`]);
    expect(await offers.getByRole('button', { name: `Add ${PRODUCT} 0.101.0` }).count()).toBe(1);
  });

  test('adding an address again whose bytes changed under the same version is refused, the kept copy untouched', async () => {
    const { page } = app;
    const url = `${pages.origin}/logibus-dualout/split/manifest.json`;
    const text = await addFromUrl(page, url);
    expect(text).toContain(`${PRODUCT} 0.100.0 at ${url} changed since FieldFlash fetched it on `);
    expect(text).toContain('the app (Application.bin) has different bytes, but the version is the same. FieldFlash kept the copy it has and stored nothing.');
    expect(await storedRecords(page)).toEqual({ releases: 4, files: 16 });
  });

  test('offline, the check says to connect once', async () => {
    const { page, context } = app;
    await context.setOffline(true);
    try {
      await page.getByRole('button', { name: 'Check for newer versions' }).click();
      await page.getByText(/This laptop is offline: connect once to check the 2 addresses releases came from for newer versions\./).waitFor();
    } finally {
      await context.setOffline(false);
    }
  });
});
