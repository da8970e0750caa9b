// Re-flashing a board with a release that differs from the one it holds in four places, through the app as a
// technician does it: compared with what FieldFlash last wrote, narrowed down by the board's own MD5s when that is
// not known, and written whole when the board does not hold what FieldFlash believes. The flash is saved and
// compared byte for byte every time.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  changedFixtureApp,
  changedFixtureZip,
  connectSimulated,
  disconnect,
  expectFixtureParts,
  fixturePart,
  fixtureZip,
  flash,
  flashLogText,
  importThroughLibrary,
  openFlashView,
  savedFlashImage,
  unfold,
} from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

const APP_OFFSET = 0x10000;
const FIRST_NAME = /LOGIBUS DualOut ESP32 esp-idf-v5\.1 0\.100/;
const FIRST_LABEL = 'LOGIBUS DualOut ESP32 esp-idf-v5\\.1 0\\.100(\\.0)?';
const NEXT_NAME = /LOGIBUS DualOut ESP32 esp-idf-v5\.1 0\.101/;
let app: AppSession;
let nextApp: Buffer;

beforeAll(async () => {
  nextApp = await changedFixtureApp([0x1000, 0x31000, 0xd4321, 0x1a0000]);
  app = await openApp('/');
  await allowUnsigned(app.page, PRODUCT);
  await importThroughLibrary(app.page, 'logibus-dualout.zip', await fixtureZip());
  await importThroughLibrary(app.page, 'logibus-dualout-0.101.zip', await changedFixtureZip('0.101', nextApp));
  await openFlashView(app.page);
});
afterAll(async () => app?.close());

/** The next release on the flash: its app, and the fixture's bootloader and partition table. */
async function expectNextRelease(image: Buffer): Promise<void> {
  expect(image.subarray(APP_OFFSET, APP_OFFSET + nextApp.length).equals(nextApp), 'Application.bin 0.101 at 0x10000').toBe(true);
  for (const [path, offset] of [['firmware_esp-idf-v5.1/bootloader.bin', 0x1000], ['firmware_esp-idf-v5.1/partition-table.bin', 0x8000]] as const) {
    const bytes = await fixturePart(path);
    expect(image.subarray(offset, offset + bytes.length).equals(bytes), path).toBe(true);
  }
}

test('a board FieldFlash wrote before: only the changed sectors are written, compared here, proved by one MD5 per part', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await flash(page, { release: FIRST_NAME, erase: 'erase-all', baud: 921600 });

  const result = await flash(page, { release: NEXT_NAME, erase: 'keep-data', baud: 921600 });
  expect(result).toMatch(new RegExp(`Compared with ${FIRST_LABEL}, which FieldFlash wrote to this board`));
  // The four changes, and the last sector: the image's checksum and SHA-256 at its end changed with them.
  expect(result).toMatch(/Application\.bin at 0x10000: 17\.2 KiB written in 5 regions, .* skipped, MD5 verified/);
  expect(result).toMatch(/bootloader\.bin at 0x01000: unchanged, skipped/);
  const log = await flashLogText(page);
  expect(log).toMatch(new RegExp(`FieldFlash wrote ${FIRST_LABEL} to this board \\(.*\\): comparing with it, sector by sector`));
  expect(log).toMatch(/Application\.bin at 0x10000: .* to write in 5 regions \(compared with what FieldFlash last wrote to this board\)/);
  await expectNextRelease(await savedFlashImage(page));
});

test('after a write cut short the content is unknown: the board\'s MD5s narrow it down, and the flash holds the release', async () => {
  const { page } = app;
  // A fresh link, so the armed pull counts only what this flash sends: it comes out inside the first block written.
  await disconnect(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await unfold(page, 'Simulated device tools');
  await page.getByLabel('Pull cable after (KiB)').fill('1');
  await page.getByRole('button', { name: 'Pull cable' }).click();
  await expect(flash(page, { release: FIRST_NAME, erase: 'keep-data', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  expect(await page.getByRole('alert').textContent()).toMatch(/The USB connection was lost while writing Application\.bin/);
  await page.getByRole('button', { name: 'Re-plug' }).click();
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });

  const result = await flash(page, { release: FIRST_NAME, erase: 'keep-data', baud: 921600 });
  expect(result).not.toMatch(/Compared with/);
  expect(result).toMatch(/Application\.bin at 0x10000: 17\.2 KiB written in 5 regions, .* skipped, MD5 verified/);
  const log = await flashLogText(page);
  expect(log).toMatch(/Application\.bin at 0x10000: .* to write in 5 regions \(\d+ MD5 questions to the board\)/);
  await expectFixtureParts(await savedFlashImage(page));
  await disconnect(page);
});

test('a board that does not hold what FieldFlash believes (another board with the same MAC) fails the MD5 and is written whole', async () => {
  const { page } = app;
  // A reload forgets the simulated board (a blank one answers with the same MAC), not what FieldFlash wrote to it.
  await page.reload();
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const result = await flash(page, { release: NEXT_NAME, erase: 'keep-data', baud: 921600 });
  expect(result).toMatch(/Application\.bin at 0x10000: .* written whole \(the board did not hold what FieldFlash last wrote to it\), MD5 verified/);
  const log = await flashLogText(page);
  expect(log).toMatch(/Application\.bin at 0x10000: the board did not hold what FieldFlash last wrote to it\. Writing the part whole\./);
  await expectNextRelease(await savedFlashImage(page));
  await disconnect(page);
});
