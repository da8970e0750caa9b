// Devices already in the field, in Chromium against the reference agent's compatibility endpoints (--compat, with
// this app's origin admitted): added by system, address and user name; pushed the demo release over ESPHome's and
// ElegantOTA's uploads with the password typed for the push; ending on the version the device reports, with the
// image's bytes in the agent's slot, progress counted by bytes sent, the mode's limits said on the card, a field
// report entry, and no password kept anywhere. A wrong password is refused in words.
import { readBundle } from '@fieldflash/bundle';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildDemoRelease } from '../../scripts/make-demo-release.ts';
import { openApp, type AppSession } from './browser.ts';
import { deviceDocument, forgetAllDevices, openDevicesView, PASSWORD, startTestAgent, type TestAgent } from './devices.support.ts';
import { releaseRow, sha256 } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
let demoApp: Uint8Array;
const agents: TestAgent[] = [];

beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
  // The demo release's first-install app part: what a device in compatibility mode gets.
  const [release] = await readBundle({ name: 'demo.zip', data: new Blob([(await buildDemoRelease()).zip as Uint8Array<ArrayBuffer>]) });
  demoApp = new Uint8Array(await release!.files.find((f) => f.path === 'fieldflash-demo.bin')!.data.arrayBuffer());
});
afterAll(async () => app?.close());

beforeEach(async () => {
  await clearCompatDevices(app.page);
  await forgetAllDevices(app.page);
  await openDevicesView(app.page);
});
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
});

/** A device in the field: the agent with its ESPHome and ElegantOTA endpoints, admitting this app's pages. */
async function fieldDevice(options: Parameters<typeof startTestAgent>[0] = {}): Promise<TestAgent> {
  // The demo app image's project name, which the device checks against its own, as a device running it would.
  const started = await startTestAgent({ compat: true, compatOrigins: [new URL(app.url).origin], product: 'fieldflash-demo', ...options });
  agents.push(started);
  return started;
}

function clearCompatDevices(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['compatDevices', 'fieldReport'], 'readwrite');
          tx.objectStore('compatDevices').clear();
          tx.objectStore('fieldReport').clear();
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Everything the page keeps about compatibility devices and updates, read back raw from IndexedDB. */
function storedRecords(page: Page): Promise<{ devices: Record<string, unknown>[]; report: Record<string, unknown>[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('fieldflash');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const all = (store: string) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
        request.onerror = () => reject(request.error);
      });
    const result = { devices: await all('compatDevices'), report: await all('fieldReport') };
    db.close();
    return result;
  });
}

async function addFieldDevice(page: Page, kind: 'ESPHome' | 'ElegantOTA', url: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Add an ESPHome or ElegantOTA device' });
  await form.getByLabel('It runs').selectOption(kind.toLowerCase());
  await form.getByLabel('Device address').fill(url);
  await form.getByLabel('User name').fill('admin');
  await form.getByRole('button', { name: 'Add in compatibility mode' }).click();
  const status = form.getByRole('status', { name: 'Compatibility mode status' }).getByText(/^Added /);
  await status.waitFor({ timeout: 15_000 });
  return status.innerText();
}

/** Pushes the demo release from the device's card with `password`, and returns the result's text. */
async function pushDemo(page: Page, label: string, password: string): Promise<string> {
  const card = page.getByRole('article', { name: label });
  const form = card.getByRole('form', { name: `Push a release to ${label}` });
  await form.getByLabel('Release').selectOption({ label: 'FieldFlash Demo 1.0.0' });
  await form.getByLabel('Password for admin').fill(password);
  await form.getByRole('button', { name: 'Push FieldFlash Demo 1.0.0' }).click();
  const result = card.getByRole('status', { name: 'Push result' });
  await result.waitFor({ timeout: 60_000 });
  return (await result.innerText()).replace(/\s+/g, ' ').trim();
}

/** Records every value the card's "Bytes sent" bar takes, from now on. */
async function watchBytesSent(page: Page): Promise<() => Promise<Array<{ value: number; max: number }>>> {
  await page.evaluate(() => {
    const seen: Array<{ value: number; max: number }> = [];
    (window as unknown as { bytesSeen: typeof seen }).bytesSeen = seen;
    const note = () => {
      const bar = document.querySelector('progress[aria-label="Bytes sent"]') as HTMLProgressElement | null;
      if (bar && seen.at(-1)?.value !== bar.value) seen.push({ value: bar.value, max: bar.max });
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] });
  });
  return () => page.evaluate(() => (window as unknown as { bytesSeen: Array<{ value: number; max: number }> }).bytesSeen);
}

describe('a device in compatibility mode', () => {
  test('over ESPHome: added without a password, pushed with one typed for the push; comes back reporting 1.0.0 with the image in its slot', async () => {
    const { page } = app;
    const device = await fieldDevice();
    const host = new URL(device.agent.url).host;
    const label = `ESPHome device at ${host}`;
    expect(await addFieldDevice(page, 'ESPHome', device.agent.url)).toBe(`Added the ${label}. It reports version 0.9.0.`);

    const card = page.getByRole('article', { name: label });
    expect((await card.locator('.device-card__limits').innerText()).replace(/\s+/g, ' ')).toBe(
      'Compatibility mode: updates go up the way ESPHome takes them, as user admin. No resume: a broken upload starts again from its first byte. No slot information and no rollback report: the verdict is only whether the device comes back reporting the new version, where it reports one.',
    );
    await expect.poll(() => card.getByRole('status', { name: 'Reported version' }).innerText()).toMatch(/^Reports version 0\.9\.0 \(checked /);

    // Slowed to 64 KiB/s on the way up, so the bar shows the bytes leaving, not just the end.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
    const bytesSeen = await watchBytesSent(page);
    const result = await pushDemo(page, label, PASSWORD);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();

    expect(result).toMatch(/^New version: The device came back reporting 1\.0\.0\. [\d.]+ KiB sent; it reported 0\.9\.0 before\. Dismiss$/);
    const seen = await bytesSeen();
    const between = seen.filter((s) => s.value > 0 && s.value < demoApp.length);
    expect(between.length).toBeGreaterThan(2);
    expect(seen.every((s) => s.max === demoApp.length)).toBe(true);
    expect(seen.map((s) => s.value)).toEqual([...seen.map((s) => s.value)].sort((a, b) => a - b));

    // What the device itself says, and holds.
    const doc = await deviceDocument(device.agent.url);
    expect(doc.version).toBe('1.0.0');
    expect(doc.slots.find((s) => s.name === 'b')).toMatchObject({ state: 'active', version: '1.0.0', sha256: sha256(demoApp) });
    expect(sha256(readFileSync(join(device.dir, 'slots', 'b.img')))).toBe(sha256(demoApp));
    await expect.poll(() => card.getByRole('status', { name: 'Reported version' }).innerText()).toMatch(/^Reports version 1\.0\.0 \(checked /);
    expect(await card.getByLabel('Password for admin').inputValue()).toBe('');

    // The field report has the push; no record holds the password, in clear or as the Basic header carried it.
    const stored = await storedRecords(page);
    expect(stored.report).toHaveLength(1);
    expect(stored.report[0]).toMatchObject({
      deviceId: `esphome:${host}`, address: device.agent.url, product: 'FieldFlash Demo', fromVersion: '0.9.0', toVersion: '1.0.0',
      transport: 'esphome', bytesSent: demoApp.length, result: 'new-version', reason: 'The device came back reporting 1.0.0.',
    });
    expect(stored.devices).toEqual([{ id: `esphome:${host}`, kind: 'esphome', url: device.agent.url, user: 'admin', addedAt: expect.any(Number), lastSeen: { at: expect.any(Number), version: '1.0.0' } }]);
    const kept = JSON.stringify(stored);
    expect(kept).not.toContain(PASSWORD);
    expect(kept).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString('base64'));
    const row = page.getByRole('region', { name: 'Field report' }).getByRole('row').nth(1);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/ESPHome upload .* Reports the new version: The device came back reporting 1\.0\.0\.$/);
  });

  test('over ElegantOTA (its MD5 first, then the upload): comes back reporting 1.0.0 with the image in its slot', async () => {
    const { page } = app;
    const device = await fieldDevice();
    const label = `ElegantOTA device at ${new URL(device.agent.url).host}`;
    expect(await addFieldDevice(page, 'ElegantOTA', device.agent.url)).toBe(`Added the ${label}. It reports version 0.9.0.`);
    expect(await pushDemo(page, label, PASSWORD)).toMatch(/^New version: The device came back reporting 1\.0\.0\. /);
    expect((await deviceDocument(device.agent.url)).version).toBe('1.0.0');
    expect(sha256(readFileSync(join(device.dir, 'slots', 'b.img')))).toBe(sha256(demoApp));
    const [entry] = (await storedRecords(page)).report;
    expect(entry).toMatchObject({ transport: 'elegantota', result: 'new-version', bytesSent: demoApp.length });
  });

  for (const kind of ['ESPHome', 'ElegantOTA'] as const) {
    test(`over ${kind}, a wrong password is refused in words, nothing is installed, and the report says so`, async () => {
      const { page } = app;
      const device = await fieldDevice();
      const host = new URL(device.agent.url).host;
      const label = `${kind} device at ${host}`;
      await addFieldDevice(page, kind, device.agent.url);
      expect(await pushDemo(page, label, 'not the password')).toBe(
        `Push of FieldFlash Demo 1.0.0 stopped: The device at ${host} refused the user name or password (HTTP 401); nothing was installed. ` +
          "What to do: Check the user name and password of the device's web server (ESPHome: web_server auth; ElegantOTA: setAuth; a FieldFlash agent: admin and its pairing secret) and push again. Dismiss",
      );
      const doc = await deviceDocument(device.agent.url);
      expect(doc.version).toBe('0.9.0');
      expect(doc.slots.find((s) => s.name === 'b')).toMatchObject({ state: 'empty' });
      const [entry] = (await storedRecords(page)).report;
      expect(entry).toMatchObject({ transport: kind.toLowerCase(), result: 'failed', fromVersion: '0.9.0' });
      expect(JSON.stringify(entry)).not.toContain('not the password');
    });
  }

  test('a device that does not admit this app says so in words, and points to the push command', async () => {
    const { page } = app;
    const device = await fieldDevice({ compatOrigins: [] });
    const host = new URL(device.agent.url).host;
    const label = `ESPHome device at ${host}`;
    await addFieldDevice(page, 'ESPHome', device.agent.url);
    expect(await pushDemo(page, label, PASSWORD)).toBe(
      `Push of FieldFlash Demo 1.0.0 stopped: The device at ${host} answers, but not to this page: its web server lets no other web app send it updates (no CORS headers). ` +
        `What to do: Nothing was installed. ESPHome devices with a password, and ElegantOTA devices, take uploads only from their own pages; or push from a laptop on the same network: npm run push -- ${device.agent.url} release.zip --compat esphome. Dismiss`,
    );
    expect((await deviceDocument(device.agent.url)).slots.find((s) => s.name === 'b')).toMatchObject({ state: 'empty' });
  });
});
