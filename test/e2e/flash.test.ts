// First install of the real LOGIBUS release into the simulated ESP32, through the app as a technician uses it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  bootVerdict,
  connectSimulated,
  dataReleaseZip,
  disconnect,
  expectFixtureParts,
  fixturePart,
  fixtureZip,
  flash,
  importThroughLibrary,
  isErased,
  flashLogText,
  MB,
  openFlashView,
  RELEASE_NAME,
  savedFlashImage,
  unfold,
} from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

let app: AppSession;
const FILL_OFFSET = 0x300000;
const FILL_SIZE = 0x20000;

beforeAll(async () => {
  app = await openApp('/');
  await allowUnsigned(app.page, PRODUCT, 'Pattern fill');
  await importThroughLibrary(app.page, 'logibus-dualout.zip', await fixtureZip());
  await importThroughLibrary(
    app.page,
    'pattern.zip',
    await dataReleaseZip({ name: 'Pattern fill', chipFamily: 'ESP32', offset: FILL_OFFSET, size: FILL_SIZE, fill: 0x5a }),
  );
  await openFlashView(app.page);
});
afterAll(async () => app?.close());

test('a first install erases the flash, writes every part at its offset, verifies it and boots the app', async () => {
  const { page } = app;
  // The release's header declares 16 MB of flash: a smaller board would refuse to boot it.
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: true });
  const facts = (await page.getByRole('definition').allTextContents()).join(' | ');
  expect(facts).toMatch(/16 MB/);
  expect(facts).toMatch(/([0-9a-f]{2}:){5}[0-9a-f]{2}/);
  expect(facts).toMatch(/40 MHz/);
  expect(await page.getByText('Simulated board running in this page — not real hardware.').count()).toBe(1);

  // Something on the board already, outside the release's parts: a first install must erase it.
  await flash(page, { release: /Pattern fill/, erase: 'keep-data', baud: 921600 });
  let image = await savedFlashImage(page);
  expect(image.length).toBe(16 * MB);
  expect(image.subarray(FILL_OFFSET, FILL_OFFSET + FILL_SIZE).every((b) => b === 0x5a)).toBe(true);

  const result = await flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 2000000 });
  expect(result).toMatch(/written to the simulated ESP32 and verified/);
  expect(result).toMatch(/Erased the whole flash first/);
  expect(result).toMatch(/bootloader\.bin at 0x01000: .* written, MD5 verified/);
  expect(result).toMatch(/Application\.bin at 0x10000: .* written, MD5 verified/);

  image = await savedFlashImage(page);
  await expectFixtureParts(image);
  const bootloader = await fixturePart('firmware_esp-idf-v5.1/bootloader.bin');
  const table = await fixturePart('firmware_esp-idf-v5.1/partition-table.bin');
  const appBin = await fixturePart('firmware_esp-idf-v5.1/Application.bin');
  expect(isErased(image, 0, 0x1000)).toBe(true);
  expect(isErased(image, 0x1000 + bootloader.length, 0x8000)).toBe(true);
  expect(isErased(image, 0x8000 + table.length, 0x10000)).toBe(true);
  expect(isErased(image, 0x10000 + appBin.length, 16 * MB)).toBe(true);

  // The hard reset boots the app: its name and version from esp_app_desc_t show in the console.
  const console = page.getByRole('log', { name: 'Serial console output' });
  await expect.poll(() => console.textContent(), { timeout: 20_000 }).toMatch(/Project name:\s+Application/);
  expect(await console.textContent()).toMatch(/App version:\s+v0\.8-7-g333c02c-dirty/);
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted', text: expect.stringMatching(/^Booted: Application v0\.8-7-g333c02c-dirty is running\./) });
});

test('flashing the same release again skips nearly everything, and the flash still holds every part', async () => {
  const { page } = app;
  const result = await flash(page, { release: RELEASE_NAME, erase: 'keep-data', baud: 921600 });
  expect(result).toMatch(/written to the simulated ESP32 and verified/);
  expect(result).toMatch(/Wrote 0\.0 KiB of 1\.98 MiB; skipped 1\.98 MiB already on the flash/);
  expect(result).toMatch(/Application\.bin at 0x10000: unchanged, skipped/);
  expect(result).toMatch(/bootloader\.bin at 0x01000: unchanged, skipped/);
  await expectFixtureParts(await savedFlashImage(page));
  const log = await flashLogText(page);
  expect(log).toMatch(/Application\.bin at 0x10000 is already on the flash: skipped/);
  await disconnect(page);
});

test('a release for another chip is shown disabled with the reason when an ESP32-S3 is connected', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32-S3', flashSize: '16 MB', wireTime: false });
  const radio = page.getByRole('radio', { name: RELEASE_NAME });
  expect(await radio.isDisabled()).toBe(true);
  const reason = await page.getByText(/Not for this board:/).first().textContent();
  expect(reason).toMatch(/has builds for ESP32 only; this device is an ESP32-S3/);
  await disconnect(page);
});

test('a board that is only reliable at 115200 baud is still flashed when 921600 is chosen, and the log says it fell back', async () => {
  const { page } = app;
  await page.getByLabel('Simulated chip').selectOption({ label: 'ESP32' });
  await page.getByLabel('Simulated flash size').selectOption({ label: '4 MB' });
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  await unfold(page, 'Simulated device tools');
  await page.getByLabel('Line reliable up to').selectOption('115200');
  const result = await flash(page, { release: /Pattern fill/, erase: 'keep-data', baud: 921600 });
  expect(result).toMatch(/fell back to 115200 baud/);
  const log = await flashLogText(page);
  expect(log).toMatch(/fell back to 115200 baud/i);
  const image = await savedFlashImage(page);
  expect(image.subarray(FILL_OFFSET, FILL_OFFSET + FILL_SIZE).every((b) => b === 0x5a)).toBe(true);
  await disconnect(page);
});
