// Failures a technician meets, each with a plain message and the next step; and flashing again then succeeds.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  connectSimulated,
  dataReleaseZip,
  disconnect,
  expectFixtureParts,
  fixtureZip,
  flash,
  flashLogText,
  importThroughLibrary,
  openFlashView,
  RELEASE_NAME,
  savedFlashImage,
  unfold,
} from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

let app: AppSession;

beforeAll(async () => {
  app = await openApp('/');
  await allowUnsigned(app.page, PRODUCT, 'Oversized data');
  await importThroughLibrary(app.page, 'logibus-dualout.zip', await fixtureZip());
  // Ends at 0x410000: more than a 4 MB board has.
  await importThroughLibrary(app.page, 'too-big.zip', await dataReleaseZip({ name: 'Oversized data', chipFamily: 'ESP32', offset: 0x3f0000, size: 0x20000, fill: 0x11 }));
  await openFlashView(app.page);
});
afterAll(async () => app?.close());

const alertText = async () => (await app.page.getByRole('alert').textContent()) ?? '';

test('a cable pulled mid-write names the part and offset; after re-plugging, flashing again succeeds', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await unfold(page, 'Simulated device tools');
  await page.getByLabel('Pull cable after (KiB)').fill('600');
  await page.getByRole('button', { name: 'Pull cable' }).click();
  await expect(flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  const alert = await alertText();
  expect(alert).toMatch(/The USB connection was lost while writing Application\.bin at offset 0x[0-9a-f]{5}/);
  expect(alert).toMatch(/Plug the cable back in, connect again and press Flash/);
  const offset = parseInt(/offset 0x([0-9a-f]+)/.exec(alert)![1]!, 16);
  expect(offset).toBeGreaterThanOrEqual(0x10000);
  expect(offset).toBeLessThan(0x10000 + 2049184);
  // The tab let go of the port: it offers to connect again.
  await page.getByRole('button', { name: 'Connect simulated ESP32' }).waitFor();

  await page.getByRole('button', { name: 'Re-plug' }).click();
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const result = await flash(page, { release: RELEASE_NAME, erase: 'keep-data', baud: 921600 });
  expect(result).toMatch(/written to the simulated ESP32 and verified/);
  // What made it across before the cable came out is kept; the rest is written. FieldFlash does not know what the
  // cut-short write left, so the board's own MD5s tell.
  expect(result).toMatch(/Application\.bin at 0x10000: .* written in \d+ regions?, .* skipped, MD5 verified/);
  expect(await flashLogText(page)).toMatch(/Application\.bin at 0x10000: .* to write in \d+ regions? \(\d+ MD5 questions to the board\)/);
  await expectFixtureParts(await savedFlashImage(page));
  await disconnect(page);
});

test('a part that does not fit the detected flash is refused before anything is written', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  const before = await savedFlashImage(page);
  await expect(flash(page, { release: /Oversized data/, erase: 'keep-data', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  const alert = await alertText();
  expect(alert).toMatch(/The image is larger than the flash: fill\.bin at 0x3f0000 ends at 0x410000, but this board has 4 MB of flash/);
  expect(alert).toMatch(/Nothing was written/);
  expect((await savedFlashImage(page)).equals(before)).toBe(true);
  await disconnect(page);
});

test('a board that never answers SYNC gets the BOOT/RESET advice', async () => {
  const { page } = app;
  await page.getByLabel('Simulated chip').selectOption({ label: 'ESP32-C3' });
  await page.getByLabel('Simulated flash size').selectOption({ label: '4 MB' });
  await page.getByLabel('Simulate real serial speed').setChecked(false);
  // The panel exists once a simulated board does; the ESP32-C3 is created on the first connect.
  await page.getByRole('button', { name: 'Connect simulated ESP32' }).click();
  await page.getByRole('heading', { name: 'Simulated ESP32-C3 connected' }).waitFor({ timeout: 60_000 });
  await unfold(page, 'Simulated device tools');
  await page.getByLabel('Not in download mode (never answers SYNC)').check();
  await disconnect(page);
  await page.getByRole('button', { name: 'Connect simulated ESP32' }).click();
  await page.getByRole('alert').waitFor({ timeout: 90_000 });
  const alert = await alertText();
  expect(alert).toMatch(/did not answer: it is not in download mode/);
  expect(alert).toMatch(/Hold BOOT, tap EN\/RESET, release BOOT, then try again/);
  await page.getByLabel('Not in download mode (never answers SYNC)').uncheck();
  await connectSimulated(page, { chip: 'ESP32-C3', flashSize: '4 MB', wireTime: false });
  await disconnect(page);
});

test('a second tab is told the port is in use in another tab', async () => {
  const { page, context } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  const second = await context.newPage();
  try {
    await second.goto(new URL('/#/flash', app.url).href);
    await second.getByRole('button', { name: 'Connect simulated ESP32' }).click();
    await second.getByRole('alert').waitFor();
    expect(await second.getByRole('alert').textContent()).toMatch(/in use in another FieldFlash tab/);
  } finally {
    await second.close();
  }
  await disconnect(page);
});
