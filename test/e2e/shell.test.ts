// The app shell: its name, the views' navigation, and the Flash and Devices views' code arriving only when opened.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';

let app: AppSession;
const scripts: string[] = [];

beforeAll(async () => {
  app = await openApp();
  app.page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await app.page.reload();
  await app.page.getByRole('heading', { name: 'Releases on this device' }).waitFor();
});
afterAll(async () => app?.close());

test('the app shell renders its heading', async () => {
  await expect(app.page.getByRole('heading', { name: 'FieldFlash', level: 1 }).textContent()).resolves.toBe('FieldFlash');
});

test('the library is the view shown first, marked as the current page in the navigation', async () => {
  const nav = app.page.getByRole('navigation', { name: 'Views' });
  const links = await nav.getByRole('link').allInnerTexts();
  expect(links).toEqual(['Library', 'Flash', 'Devices', 'Settings']);
  expect(await nav.getByRole('link', { name: 'Library' }).getAttribute('aria-current')).toBe('page');
  expect(await nav.getByRole('link', { name: 'Flash' }).getAttribute('aria-current')).toBeNull();
});

test('esptool-js stays out of the first load: the Flash view loads when opened', async () => {
  const { page } = app;
  const firstLoad = [...scripts];
  expect(firstLoad.length).toBeGreaterThan(0);
  expect(firstLoad.some((p) => /flash-view/.test(p))).toBe(false);

  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Flash' }).click();
  await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
  expect(scripts.slice(firstLoad.length).some((p) => /flash-view/.test(p))).toBe(true);
  expect(await page.getByRole('link', { name: 'Flash' }).getAttribute('aria-current')).toBe('page');
  expect(new URL(page.url()).hash).toBe('#/flash');

  // The view survives a reload (it is in the address), and the Library link goes back.
  await page.reload();
  await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByRole('heading', { name: 'Releases on this device' }).waitFor();
});

test('the Devices view loads when opened, and survives a reload', async () => {
  const { page } = app;
  expect(scripts.some((p) => /devices-view/.test(p))).toBe(false);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('heading', { name: 'Devices', level: 2 }).waitFor();
  expect(scripts.some((p) => /devices-view/.test(p))).toBe(true);
  expect(new URL(page.url()).hash).toBe('#/devices');
  expect(await page.getByRole('link', { name: 'Devices' }).getAttribute('aria-current')).toBe('page');
  await page.reload();
  await page.getByRole('heading', { name: 'Add a device' }).waitFor();
  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByRole('heading', { name: 'Releases on this device' }).waitFor();
});

test('the status area announces that the app is ready to work offline', async () => {
  const status = app.page.getByRole('banner').getByRole('status');
  await status.getByText('Ready to work offline').waitFor({ timeout: 30_000 });
  expect(await app.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
});

test('the web app manifest offers FieldFlash as the handler for .zip files, with its icons', async () => {
  const { page, url } = app;
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await fetch(new URL(href!, url))).json();
  expect(manifest).toMatchObject({ name: 'FieldFlash', short_name: 'FieldFlash', start_url: '/', display: 'standalone', theme_color: '#0f4c5c' });
  expect(manifest.file_handlers[0].accept).toEqual({ 'application/zip': ['.zip'], 'application/x-zip-compressed': ['.zip'] });
  for (const icon of manifest.icons as Array<{ src: string; sizes: string; type: string }>) {
    const response = await fetch(new URL(icon.src, url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(icon.type);
    if (icon.type === 'image/png') {
      const png = Buffer.from(await response.arrayBuffer());
      const [w, h] = icon.sizes.split('x').map(Number);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([w, h]);
    }
  }
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
});
