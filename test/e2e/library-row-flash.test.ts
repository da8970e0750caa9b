// From the library straight to the Flash view: a row's (or the details') Flash chooses that release, which stays
// chosen on a board it fits and gives way, said plainly, on one it does not. And a release added from the web is
// found by its address and marked in its row. The real LOGIBUS release, the demo release served from a web host on
// 127.0.0.1, and an ESP32-S3 data release; the simulated ESP32 says what booted.
import { mkdir, readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startReleaseSite, type ReleaseSite } from '../../packages/bundle/test/release-site.ts';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, dataReleaseZip, disconnect, expectFixtureParts, savedFlashImage } from './flash.support.ts';
import { fixtureZip, libraryReady, pickFiles, PRODUCT, RELEASE, releaseRow, releaseRows } from './library.support.ts';
import { allowUnsigned, trustDemoReleases } from './trust.support.ts';

const DEMO = 'FieldFlash Demo 1.0.0';
const S3_FILL = 'S3 Fill 1.0.0';
const WEB_PATH = '/field-kits/fieldflash-demo-1.0.0.zip';
let app: AppSession;
let site: ReleaseSite;

async function isFocused(page: Page, name: string): Promise<boolean> {
  return page.evaluate((name) => document.activeElement?.getAttribute('aria-label') === name, name);
}

async function shownNames(page: Page): Promise<string[]> {
  return releaseRows(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
}

function count(page: Page): Promise<string> {
  return page.getByRole('region', { name: 'Releases on this device' }).getByRole('status').innerText();
}

function chosenNote(page: Page) {
  return page.getByRole('note', { name: 'Release chosen in the library' });
}

beforeAll(async () => {
  site = await startReleaseSite({ cors: true });
  site.put(WEB_PATH, await readFile('public/demo/fieldflash-demo-1.0.0.zip'));
  app = await openApp('/');
  await app.page.setViewportSize({ width: 1280, height: 800 });
  await libraryReady(app.page);
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await allowUnsigned(app.page, PRODUCT, 'S3 Fill');
  expect(await pickFiles(app.page, 'logibus-dualout.zip', await fixtureZip())).toBe('added');
  const s3 = await dataReleaseZip({ name: 'S3 Fill', chipFamily: 'ESP32-S3', offset: 0x10000, size: 0x1000, fill: 0x5a });
  expect(await pickFiles(app.page, 's3-fill.zip', s3)).toBe('added');
});
afterAll(async () => {
  await app?.close();
  await site?.close();
});

describe('a release added from the web', () => {
  test('is marked "web" in its row, with its address, and the filter finds it by host and path', async () => {
    const { page } = app;
    const url = `${site.origin}${WEB_PATH}`;
    const panel = page.getByRole('region', { name: 'Add from the web' });
    await panel.getByLabel('Release address').fill(url);
    await panel.getByRole('button', { name: 'Add from URL' }).click();
    await panel.getByText(`Fetched ${DEMO} from ${url} and stored it in the library.`).waitFor({ timeout: 60_000 });
    await expect.poll(() => count(page)).toBe('3 releases');

    const flag = releaseRow(page, DEMO).getByText('web', { exact: true });
    expect(await flag.getAttribute('title')).toBe(`Added from ${url}`);
    expect(await flag.getAttribute('aria-description')).toBe(`Added from ${url}`);
    // Releases from files carry no such mark.
    expect(await releaseRow(page, RELEASE).getByText('web', { exact: true }).count()).toBe(0);

    const filter = page.getByRole('searchbox', { name: 'Filter' });
    await filter.fill(site.host);
    await expect.poll(() => count(page)).toBe('1 of 3 releases');
    expect(await shownNames(page)).toEqual([DEMO]);
    await filter.fill('field-kits');
    await expect.poll(() => shownNames(page)).toEqual([DEMO]);
    await mkdir('test-results', { recursive: true });
    await page.getByRole('grid', { name: 'Releases' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/library-web-filter-1280x800.png' });
    await filter.fill('');
    await expect.poll(() => count(page)).toBe('3 releases');
  });
});

describe('Flash from the library', () => {
  test("by keyboard, a row's Flash opens the Flash view with that release chosen; it is flashed and boots", async () => {
    const { page } = app;
    await page.getByRole('grid', { name: 'Releases' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/library-row-flash-1280x800.png' });
    // The keyboard path: the row, then its buttons one Tab apart; Details first, then Flash.
    await releaseRow(page, RELEASE).focus();
    await page.keyboard.press('Tab');
    expect(await isFocused(page, `Details of ${RELEASE}`)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page, `Flash ${RELEASE}`)).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
    expect(await chosenNote(page).innerText()).toBe(`Chosen in the library: ${RELEASE}. Connect a board to flash it.`);
    await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
    // Left to itself the view would choose the newest release that fits (the demo, 1.0.0); the library's choice stands.
    expect(await page.getByRole('radio', { name: RELEASE }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: DEMO }).isChecked()).toBe(false);
    expect(await chosenNote(page).innerText()).toBe(`Chosen in the library: ${RELEASE}.`);
    await page.screenshot({ path: 'test-results/flash-chosen-in-library-1280x800.png' });

    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and flash' }).click();
    const result = page.getByRole('status', { name: 'Flash result' });
    await result.waitFor({ timeout: 110_000 });
    expect(await result.textContent()).toMatch(/written to the simulated ESP32 and verified/);
    expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted', text: expect.stringMatching(/^Booted: Application v0\.8-7-g333c02c-dirty is running\./) });
    await expectFixtureParts(await savedFlashImage(page));
  });

  test("the details' Flash chooses the release too; on a chip it does not fit, the view says so and chooses another", async () => {
    const { page } = app;
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    await releaseRow(page, DEMO).getByRole('button', { name: `Details of ${DEMO}` }).click();
    const details = page.getByRole('dialog', { name: DEMO });
    await details.waitFor();
    await page.screenshot({ path: 'test-results/library-details-flash-1280x800.png' });
    await details.getByRole('link', { name: `Flash ${DEMO}` }).click();
    await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
    expect(await details.count()).toBe(0);
    // Still connected to the ESP32 from before: the demo fits it and is chosen.
    expect(await page.getByRole('radio', { name: DEMO }).isChecked()).toBe(true);
    expect(await chosenNote(page).innerText()).toBe(`Chosen in the library: ${DEMO}.`);

    await disconnect(page);
    await connectSimulated(page, { chip: 'ESP32-S3', flashSize: '16 MB', wireTime: false });
    const note = await chosenNote(page).innerText();
    expect(note).toMatch(new RegExp(`^Chosen in the library: ${DEMO}, but it does not fit the simulated ESP32-S3\\. `));
    expect(note).toContain('has builds for ESP32 only; this device is an ESP32-S3.');
    expect(note).toMatch(new RegExp(`Chosen instead: ${S3_FILL}\\.$`));
    expect(await page.getByRole('radio', { name: S3_FILL }).isChecked()).toBe(true);
    await page.screenshot({ path: 'test-results/flash-chosen-does-not-fit-1280x800.png' });
  });
});
