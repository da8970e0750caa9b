// "Erase everything" on a simulated 4 MB board with real flash timing: the erase takes the chip's time, and the
// Flash view shows that time passing (elapsed, and what a 4 MB chip usually needs) instead of a frozen bar.
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, openFlashView } from './flash.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 800 });
  await trustDemoReleases(app.page, 'FieldFlash Demo');
});
afterAll(async () => app?.close());

const elapsedIn = (text: string | null): number => Number(/^(\d+) s elapsed/.exec(text ?? '')?.[1] ?? NaN);

test('a whole-chip erase on a 4 MB board shows elapsed time advancing against about 10 s expected', async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await page.getByRole('row', { name: /^FieldFlash Demo / }).waitFor({ timeout: 30_000 });
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false, flashTime: true });

  await page.getByRole('radio', { name: /FieldFlash Demo/ }).check();
  await page.getByRole('radio', { name: /Erase everything/ }).check();
  await page.getByRole('button', { name: 'Flash', exact: true }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and flash' }).click();

  const erase = page.getByRole('progressbar', { name: 'Erase' });
  await erase.waitFor({ timeout: 30_000 });
  const first = await erase.getAttribute('aria-valuetext');
  expect(first).toMatch(/^\d+ s elapsed, about 10 s expected for 4 MB$/);
  expect(await page.getByText('Erasing the flash…').count()).toBe(1);
  // The clock moves while the chip is silent.
  await expect.poll(async () => elapsedIn(await erase.getAttribute('aria-valuetext')), { timeout: 8_000 }).toBeGreaterThanOrEqual(elapsedIn(first) + 2);
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/flash-erase-time.png' });

  const result = page.getByRole('status', { name: 'Flash result' });
  await result.waitFor({ timeout: 60_000 });
  const text = (await result.textContent()) ?? '';
  expect(text).toMatch(/written to the simulated ESP32 and verified in (\d+\.\d) s/);
  expect(text).toMatch(/Erased the whole flash first/);
  // The erase alone takes the chip 10 s of flash time.
  expect(Number(/verified in (\d+\.\d) s/.exec(text)?.[1])).toBeGreaterThanOrEqual(10);
  expect(await erase.count()).toBe(0);
  const console = page.getByRole('log', { name: 'Serial console output' });
  await expect.poll(() => console.textContent(), { timeout: 20_000 }).toMatch(/Project name:\s+fieldflash-demo/);
  expect(await bootVerdict(page)).toEqual({ outcome: 'booted', text: expect.stringContaining('Booted: fieldflash-demo 1.0.0 is running.') });
});
