// Wi-Fi setup after a first install, over Improv Serial: the demo release flashed into the simulated ESP32 is
// offered Wi-Fi, lists the networks the board sees, fails with a wrong password, joins with the right one,
// shows the URL the board reports and keeps it with the board's identity in IndexedDB. Firmware that does not
// speak Improv gets a short note and no offer. Passwords never reach the console, the flash log or a download.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { connectSimulated, fixtureZip, flash, importThroughLibrary, openFlashView, RELEASE_NAME } from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned, trustDemoReleases } from './trust.support.ts';

const RIGHT_PASSWORD = 'e2e-Right-pass-42';
const WRONG_PASSWORD = 'e2e-wrong-pass-17';
const DEVICE_URL = 'http://192.168.77.10:8080/';

let app: AppSession;
/** Uncaught errors and unhandled rejections in the page: Wi-Fi setup must leave none behind. */
let pageErrors: string[];
beforeEach(async () => {
  app = await openApp();
  pageErrors = [];
  app.page.on('pageerror', (error) => pageErrors.push(error.message));
  await app.page.setViewportSize({ width: 1280, height: 800 });
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await allowUnsigned(app.page, PRODUCT);
});
afterEach(async () => app?.close());

interface StoredDevice {
  mac: string;
  chipName: string;
  release: string;
  firmware: { name: string; version: string };
  url: string;
  ssid?: string;
  provisionedAt: number;
  simulated: boolean;
}

/** The devices store, read back through the page's own IndexedDB. */
function storedDevices(page: Page): Promise<StoredDevice[]> {
  return page.evaluate(
    () =>
      new Promise<StoredDevice[]>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('devices').objectStore('devices').getAll();
          all.onsuccess = () => {
            resolve(all.result as StoredDevice[]);
            db.close();
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

async function downloaded(page: Page, button: string): Promise<string> {
  await unfoldAround(page, `button:text-is("${button}")`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFile(await download.path(), 'utf8');
}

/** Opens the folded panel (a <details>) holding what `selector` finds, as a person clicks its summary; nothing when none is folded. */
async function unfoldAround(page: Page, selector: string): Promise<void> {
  const folded = page.locator('details:not([open])', { has: page.locator(selector) });
  if ((await folded.count()) > 0) await folded.first().locator('summary').first().click();
}

test('the demo app is provisioned over Improv: networks listed, wrong password refused, right one joins and its URL is kept', async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await page.getByRole('row', { name: /^FieldFlash Demo / }).waitFor({ timeout: 30_000 });
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: true });

  // The simulated board's Wi-Fi world, set in its panel.
  const wifiPanel = page.getByRole('form', { name: 'Simulated Wi-Fi' });
  await unfoldAround(page, 'form[aria-label="Simulated Wi-Fi"]');
  await wifiPanel.getByLabel(/Simulated networks/).fill(`FieldLab, ${RIGHT_PASSWORD}, -45\nCafe Corner, , -66`);
  await wifiPanel.getByLabel('URL the board reports').fill(DEVICE_URL);
  await wifiPanel.getByRole('button', { name: 'Apply Wi-Fi settings' }).click();
  await wifiPanel.getByText('Applied').waitFor();

  await flash(page, { release: /FieldFlash Demo/, erase: 'erase-all', baud: 921600 });

  const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
  const state = setup.getByRole('status', { name: 'Device Wi-Fi state' });
  await state.waitFor({ timeout: 20_000 });
  await expect.poll(() => state.textContent()).toMatch(/Ready for Wi-Fi settings \(authorized\)/);
  expect(await setup.textContent()).toMatch(/fieldflash-demo 1\.0\.0 on ESP32/);

  const networks = setup.getByLabel('Networks the device sees');
  await expect.poll(() => networks.locator('option').allTextContents(), { timeout: 10_000 }).toEqual([
    'Choose a network…',
    'FieldLab (strong signal, password)',
    'Cafe Corner (fair signal, open)',
  ]);

  // A network typed in that the board cannot see: it cannot connect either.
  await setup.getByLabel('Network name (SSID)').fill('Hidden Lab');
  await setup.getByLabel('Wi-Fi password').fill(WRONG_PASSWORD);
  await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
  await setup.getByRole('alert').filter({ hasText: 'could not connect to "Hidden Lab"' }).waitFor({ timeout: 15_000 });

  // A wrong password: the device says it could not connect; the form stays for another try.
  await networks.selectOption('FieldLab');
  expect(await setup.getByLabel('Network name (SSID)').inputValue()).toBe('FieldLab');
  await setup.getByLabel('Wi-Fi password').fill(WRONG_PASSWORD);
  await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
  // While the board tries to join (600 ms on the simulated board) it says it is provisioning.
  await expect.poll(() => state.textContent(), { interval: 50 }).toMatch(/Connecting to the network… \(provisioning\)/);
  expect(await setup.getByRole('button', { name: 'Connecting…' }).isDisabled()).toBe(true);
  const problem = setup.getByRole('alert').filter({ hasText: 'could not connect to "FieldLab"' });
  await problem.waitFor({ timeout: 15_000 });
  expect(await problem.textContent()).toMatch(/could not connect to "FieldLab": the password may be wrong.*Check the password/);
  await expect.poll(() => state.textContent()).toMatch(/authorized/);
  await problem.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/provision-wrong-password.png' });

  // The right password: provisioned, with the URL the board reports as a link.
  await setup.getByLabel('Wi-Fi password').fill(RIGHT_PASSWORD);
  await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
  const result = setup.getByRole('status', { name: 'Wi-Fi result' });
  await result.waitFor({ timeout: 15_000 });
  await expect.poll(() => state.textContent()).toMatch(/Connected to Wi-Fi \(provisioned\)/);
  expect(await result.textContent()).toMatch(/Connected to "FieldLab"/);
  expect(await result.getByRole('link', { name: DEVICE_URL }).getAttribute('href')).toBe(DEVICE_URL);
  await result.getByText('Saved with this device').waitFor();
  expect(await setup.getByLabel('Wi-Fi password').inputValue()).toBe(''); // not left in the page once used
  expect(await setup.getByRole('alert').count()).toBe(0);
  await setup.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/provision-provisioned.png' });

  // The board's identity with its URL, read back from IndexedDB through the page.
  const devices = await storedDevices(page);
  expect(devices).toHaveLength(1);
  const device = devices[0]!;
  expect(device).toMatchObject({
    chipName: 'ESP32',
    release: 'FieldFlash Demo 1.0.0',
    firmware: { name: 'fieldflash-demo', version: '1.0.0' },
    url: DEVICE_URL,
    ssid: 'FieldLab',
    simulated: true,
  });
  expect(device.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  expect(Date.now() - device.provisionedAt).toBeLessThan(120_000);
  expect(JSON.stringify(devices)).not.toContain(RIGHT_PASSWORD);

  // What the board printed shows, Improv packets do not, and no password is anywhere a person can read or save.
  const consoleText = (await page.getByRole('log', { name: 'Serial console output' }).textContent()) ?? '';
  expect(consoleText).toContain(`provisioned; reachable at ${DEVICE_URL}`);
  expect(consoleText).toContain('4WAY_HANDSHAKE_TIMEOUT');
  expect(consoleText).toContain('"Hidden Lab" not found, reason 201 (NO_AP_FOUND)');
  expect(consoleText).not.toContain('IMPROV');
  await unfoldAround(page, '[role="log"][aria-labelledby="flash-log-heading"]');
  const flashLog = (await page.getByRole('log', { name: 'Flash log' }).textContent()) ?? '';
  expect(flashLog).toContain('sending the settings for "FieldLab" (password not logged)');
  expect(flashLog).toContain(`MAC ${device.mac}`);
  const consoleFile = await downloaded(page, 'Download console log');
  expect(consoleFile).toContain('provisioned; reachable at');
  const saved = [consoleText, flashLog, consoleFile];
  // Where the view offers the flash log as a file too, that file is checked as well.
  if ((await page.locator('button:text-is("Download flash log")').count()) > 0) saved.push(await downloaded(page, 'Download flash log'));
  for (const text of saved) {
    expect(text).not.toContain(RIGHT_PASSWORD);
    expect(text).not.toContain(WRONG_PASSWORD);
  }
  expect(pageErrors).toEqual([]);
});

test('firmware that does not answer Improv gets a short note and no Wi-Fi form', async () => {
  const { page } = app;
  await importThroughLibrary(page, 'logibus-dualout.zip', await fixtureZip());
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 921600 });

  const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
  await setup.getByRole('status').filter({ hasText: 'This firmware does not offer Wi-Fi setup over USB.' }).waitFor({ timeout: 20_000 });
  expect(await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).count()).toBe(0);
  expect(await page.getByRole('log', { name: 'Serial console output' }).textContent()).toMatch(/Calling app_main\(\)/);
  await unfoldAround(page, '[role="log"][aria-labelledby="flash-log-heading"]');
  expect(await page.getByRole('log', { name: 'Flash log' }).textContent()).toMatch(/does not offer Wi-Fi setup over USB/);
  await setup.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/provision-not-offered.png' });
  // The unanswered requests time out with the detection; nothing is left to fail later.
  await new Promise((r) => setTimeout(r, 1500));
  expect(pageErrors).toEqual([]);
});
