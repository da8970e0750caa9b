// A new version of FieldFlash on the server: the page says "Update available", never reloads while an
// import runs (the button waits, saying why), and moves to the new version when the technician chooses.
import { randomBytes } from 'node:crypto';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.mjs';
import { launchBrowser } from './browser.ts';
import { fixtureZip, importOutcome, libraryReady, pickFiles, RELEASE, releaseRow } from './library.support.ts';

let root: string;
let server: StaticServer;
let browser: Browser;
let page: Page;

/** An ESP Web Tools release with one 12 MiB data part: big enough that its import takes a while. */
async function bigReleaseZip(): Promise<Buffer> {
  const fill = randomBytes(12 * 1024 * 1024);
  fill[0] = 0xff; // not an ESP image header
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify({ name: 'Big data', version: '2.0.0', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'fill.bin', offset: 0x10000 }] }] }));
  zip.file('fill.bin', fill);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

beforeAll(async () => {
  // A private copy of the build, so this test can publish a "new version" without touching dist/.
  root = await mkdtemp(join(tmpdir(), 'fieldflash-update-'));
  await cp('dist', root, { recursive: true });
  server = await startStaticServer({ root, port: 0 });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  await libraryReady(page);
  expect(await pickFiles(page, 'logibus-dualout.zip', await fixtureZip())).toBe('added');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

test('a new service worker on the server shows "Update available" with a reload button', async () => {
  await appendFile(join(root, 'sw.js'), '\n// FieldFlash next version\n');
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  const banner = page.getByRole('banner');
  await banner.getByRole('status').getByText('Update available').waitFor({ timeout: 60_000 });
  expect(await banner.getByRole('button', { name: 'Reload to update' }).isEnabled()).toBe(true);
});

test('while an import runs the update waits, and says what it waits for', async () => {
  const button = page.getByRole('banner').getByRole('button', { name: 'Reload to update' });
  const cdp = await page.context().newCDPSession(page);
  // A slow laptop: the import takes seconds, long enough to look at the button meanwhile.
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
  try {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
    // The page records what the banner showed while the import ran: on a busy machine the import can end
    // between two polls of the test, so looking afterwards could miss the waiting state entirely.
    await page.evaluate(() => {
      const banner = document.querySelector('header')!;
      const seen = { waiting: false, disabled: false, describedBy: false };
      (window as unknown as { updateWhileImporting: typeof seen }).updateWhileImporting = seen;
      const look = () => {
        if (!banner.textContent?.includes('The update waits until this finishes: Importing big-data.zip.')) return;
        const reload = [...banner.querySelectorAll('button')].find((b) => b.textContent?.includes('Reload to update'));
        seen.waiting = true;
        seen.disabled ||= reload?.disabled === true;
        seen.describedBy ||= Boolean(reload?.getAttribute('aria-describedby'));
      };
      new MutationObserver(look).observe(banner, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByLabel('Release zip or .bin files').setInputFiles({ name: 'big-data.zip', mimeType: 'application/zip', buffer: await bigReleaseZip() });
    expect(await importOutcome(page)).toBe('added');
    const seen = await page.evaluate(() => (window as unknown as { updateWhileImporting: unknown }).updateWhileImporting);
    expect(seen).toEqual({ waiting: true, disabled: true, describedBy: true });
    expect(navigations).toEqual([]);
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await cdp.detach();
  }
  await page.waitForFunction(() => !document.querySelector('button[disabled]')?.textContent?.includes('Reload to update'));
  expect(await button.isEnabled()).toBe(true);
});

test('"Reload to update" moves the page to the new version, library intact', async () => {
  const before = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.scriptURL);
  expect(before).toMatch(/\/sw\.js$/);
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByRole('button', { name: 'Reload to update' }).click()]);
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  const state = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return { waiting: registration?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
  });
  expect(state).toEqual({ waiting: null, controlled: true });
  expect(await page.getByText('Update available').count()).toBe(0);
  await releaseRow(page).waitFor();
  await releaseRow(page, /^Big data 2\.0\.0/).waitFor();
  expect(await releaseRow(page, RELEASE).count()).toBe(1);
});
