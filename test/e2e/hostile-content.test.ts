// Untrusted strings stay text: a release whose manifest carries markup, script links and a right-to-left override
// (in its product, board and file name), a device whose document does the same, and a board that reports a
// javascript: address and a hostile network name over Improv. Nothing is made from them, nothing runs, every link
// is http(s), and the strings show as written.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { addByAddress, deviceCard, openDevicesView, PASSWORD, startTestAgent, type TestAgent } from './devices.support.ts';
import { connectSimulated, disconnect, flash, openFlashView } from './flash.support.ts';
import { startReleaseSite } from '../../packages/bundle/test/release-site.ts';
import { expectInert, HOSTILE, HOSTILE_BOARD, hostileReleaseZip } from './hostile.support.ts';
import { pickFiles, releaseRow } from './library.support.ts';

const PRODUCT = `Hostile ${HOSTILE.img} ${HOSTILE.script} ${HOSTILE.svg} ${HOSTILE.rtl}`;
const RELEASE = `${PRODUCT} 6.6.6`;

let app: AppSession;
const agents: TestAgent[] = [];
beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
});
afterAll(async () => app?.close());
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
});

async function openLibrary(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Library' }).click();
}

test('a release whose manifest carries markup and script links: its row, details and Flash view show it as text', async () => {
  const { page } = app;
  await openLibrary(page);
  expect(await pickFiles(page, 'hostile.zip', await hostileReleaseZip(PRODUCT))).toBe('added');
  const row = releaseRow(page, RELEASE);
  await row.waitFor();
  await expectInert(page, [PRODUCT]);

  await row.getByRole('button', { name: `Details of ${RELEASE}` }).click();
  const dialog = page.getByRole('dialog', { name: RELEASE });
  await dialog.waitFor();
  await expectInert(page, [PRODUCT, HOSTILE_BOARD, `${HOSTILE.img}.bin`]);
  await dialog.getByRole('button', { name: 'Close' }).click();

  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  await page.getByRole('radio', { name: RELEASE }).waitFor();
  await expectInert(page, [PRODUCT]);
  await disconnect(page);
});

test('a web release whose manifest and address carry markup, and one whose chip family does: text, in the library and in the refusal', async () => {
  const { page } = app;
  const site = await startReleaseSite({ cors: true });
  try {
    // The site serves paths decoded; the address is typed encoded.
    const folder = `/r/${HOSTILE.svg}/`;
    const product = `Web ${HOSTILE.img}`;
    site.put(`${folder}hostile.zip`, await hostileReleaseZip(product));
    // An ESP Web Tools manifest whose chip family is markup: refused, with the value quoted.
    site.put('/bad/manifest.json', JSON.stringify({ name: product, version: '1.0.0', builds: [{ chipFamily: HOSTILE.img, parts: [{ path: 'a.bin', offset: 0 }] }] }));
    site.put('/bad/a.bin', new Uint8Array(16));
    await openLibrary(page);
    const panel = page.getByRole('region', { name: 'Add from the web' });

    const address = `${site.origin}/r/${encodeURIComponent(HOSTILE.svg)}/hostile.zip`;
    await panel.getByLabel('Release address').fill(address);
    await panel.getByRole('button', { name: 'Add from URL' }).click();
    const outcome = panel.getByText(/^Fetched .* and stored it in the library\./).or(panel.getByRole('alert'));
    await outcome.first().waitFor({ timeout: 30_000 });
    expect(await outcome.first().innerText()).toMatch(/^Fetched /);
    const release = `${product} 6.6.6`;
    await releaseRow(page, release).getByRole('button', { name: `Details of ${release}` }).click();
    const dialog = page.getByRole('dialog', { name: release });
    await dialog.waitFor();
    await expectInert(page, [product, HOSTILE_BOARD]);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await panel.getByLabel('Release address').fill(`${site.origin}/bad/manifest.json`);
    await panel.getByRole('button', { name: 'Add from URL' }).click();
    const refusal = panel.getByRole('alert').filter({ hasText: 'Could not add the release' });
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.innerText()).toContain('<img src=x onerror=');
    await expectInert(page, []);
    await panel.getByRole('button', { name: 'Dismiss' }).click();
  } finally {
    await site.close();
  }
});

test('a device whose document carries markup: its card shows the strings as text', async () => {
  const { page } = app;
  const product = `Sensor ${HOSTILE.img} ${HOSTILE.script}`;
  const device = await startTestAgent({ product, board: HOSTILE.svg, hardwareRevision: `${HOSTILE.rtl} ${HOSTILE.link}` });
  agents.push(device);
  await openDevicesView(page);
  const outcome = await addByAddress(page, device.agent.url, PASSWORD);
  expect(outcome.added).toBe(true);
  const card = deviceCard(page, device.label);
  await card.waitFor();
  const text = (await card.innerText()).replace(/\s+/g, ' ');
  expect(text).toContain(product);
  expect(text).toContain(HOSTILE.svg);
  await expectInert(page, [product]);
});

test('a board that reports an address and a network name carrying markup over Improv: text, and an http(s) link', async () => {
  const { page } = app;
  await openLibrary(page);
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  // An SSID has at most 32 bytes; the simulated board reports only http(s) addresses (a javascript: one is the
  // unit test's, test/unit/web-link.test.ts, and the policy's, content-security-policy.test.ts).
  const network = '<img src=x onerror=hostileRan=1>';
  const address = `http://192.168.77.10/"><svg/onload=hostileRan=2>${HOSTILE.rtl}`;
  const wifiPanel = page.getByRole('form', { name: 'Simulated Wi-Fi' });
  // Folded away in the simulated device tools, where a role query cannot see it yet.
  const folded = page.locator('details:not([open])', { has: page.locator('form[aria-label="Simulated Wi-Fi"]') });
  if ((await folded.count()) > 0) await folded.first().locator('summary').first().click();
  await wifiPanel.getByLabel(/Simulated networks/).fill(`${network}, secret-pass-1, -45`);
  await wifiPanel.getByLabel('URL the board reports').fill(address);
  await wifiPanel.getByRole('button', { name: 'Apply Wi-Fi settings' }).click();
  await wifiPanel.getByText('Applied').waitFor();
  await flash(page, { release: /FieldFlash Demo/, erase: 'erase-all', baud: 921600 });

  const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
  const networks = setup.getByLabel('Networks the device sees');
  await expect.poll(() => networks.locator('option').allTextContents(), { timeout: 20_000 }).toContain(`${network} (strong signal, password)`);
  await networks.selectOption(network);
  await setup.getByLabel('Wi-Fi password').fill('secret-pass-1');
  await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
  const result = setup.getByRole('status', { name: 'Wi-Fi result' });
  await result.waitFor({ timeout: 15_000 });
  expect(await result.innerText()).toContain(`Connected to "${network}"`);
  const link = result.getByRole('link', { name: address });
  expect(new URL((await link.getAttribute('href'))!).protocol).toBe('http:');
  // The board printed the address and the network's name on its console too.
  const consoleText = await page.getByRole('log', { name: 'Serial console output' }).textContent();
  expect(consoleText).toContain(`reachable at ${address}`);
  expect(consoleText).toContain(`connected to "${network}"`);
  await expectInert(page, [network, address]);
});
