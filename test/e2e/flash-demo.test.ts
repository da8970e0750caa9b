// The README's walkthrough for a newcomer: load the demo release, connect the simulated ESP32, flash, see it boot.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, disconnect, flash, openFlashView, savedFlashImage } from './flash.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
  await trustDemoReleases(app.page, 'FieldFlash Demo');
});
afterAll(async () => app?.close());

test('the demo release flashes into the simulated ESP32 and boots', async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });

  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  await flash(page, { release: /FieldFlash Demo/, erase: 'erase-all', baud: 921600 });

  const console = page.getByRole('log', { name: 'Serial console output' });
  await expect.poll(() => console.textContent(), { timeout: 20_000 }).toMatch(/Project name:\s+fieldflash-demo/);
  expect(await console.textContent()).toMatch(/App version:\s+1\.0\.0/);
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted', text: expect.stringMatching(/^Booted: fieldflash-demo 1\.0\.0 is running\./) });

  // The bootloader and app landed where the demo's layout puts them.
  const image = await savedFlashImage(page);
  expect(image[0x1000]).toBe(0xe9);
  expect(image[0x10000]).toBe(0xe9);
  expect(image.readUInt16LE(0x8000)).toBe(0x50aa);
});

test("the next board connected starts clean: the last board's result and verdict are not shown for it", async () => {
  const { page } = app;
  await page.getByRole('status', { name: 'Flash result' }).waitFor();
  await disconnect(page);
  await connectSimulated(page, { chip: 'ESP32-S3', flashSize: '4 MB', wireTime: false });
  expect(await page.getByRole('status', { name: 'Boot result' }).count()).toBe(0);
  expect(await page.getByRole('status', { name: 'Flash result' }).count()).toBe(0);
  const progress = page.getByRole('region', { name: 'Progress' });
  const shown = (await progress.count()) === 0 ? '' : await progress.innerText();
  expect(shown).not.toMatch(/Booted|written to/);
});
