// The boot verdicts that need a board in a particular state: one whose otadata starts another app than the one
// written, one that prints nothing at all, and "Reset board" watching again once a fault is gone.
// The tests share one page; each connects the board it needs and installs its own release with "Erase everything".
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeAppImage, writeBootloaderImage, writePartitionTable } from '@fieldflash/bundle';
import { openApp, type AppSession } from './browser.ts';
import {
  bootVerdict,
  connectSimulated,
  disconnect,
  fixtureZip,
  flash,
  flashLogText,
  importThroughLibrary,
  openFlashView,
  RELEASE_NAME,
  savedFlashImage,
  setBootFault,
} from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

const BOOTED = 'Booted: Application v0.8-7-g333c02c-dirty is running.The board started the app that was written.';
const OTA_0 = 0x10000;
const OTA_1 = 0x110000;
const OTADATA = 0xd000;

let app: AppSession;

beforeAll(async () => {
  app = await openApp('/');
  await allowUnsigned(app.page, PRODUCT, 'Weather station field unit', 'weather-station');
  await importThroughLibrary(app.page, 'logibus-dualout.zip', await fixtureZip());
});
afterAll(async () => app?.close());

const weatherStation = (version: string) =>
  writeAppImage({ chipFamily: 'ESP32', projectName: 'weather-station', version, flashSizeMiB: 4, date: 'Mar  3 2025', time: '09:12:44' });

/** One esp_ota_select_entry_t: ota_seq, its CRC as the bootloader checks it (esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)). */
function otaSelectEntry(sequence: number): Uint8Array {
  const entry = new Uint8Array(0x1000).fill(0xff);
  const view = new DataView(entry.buffer);
  view.setUint32(0, sequence, true);
  let crc = 0; // ~UINT32_MAX: the ROM inverts the seed on the way in
  for (const byte of entry.subarray(0, 4)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  view.setUint32(28, ~crc >>> 0, true);
  return entry;
}

/**
 * What a unit back from the field holds after updating itself over the air once: weather-station 2.0.0 in ota_1,
 * and otadata whose newer entry (sequence 2, in its second sector) selects ota_1. ota_0 is left blank.
 */
async function fieldUnitZip(): Promise<Buffer> {
  const otadata = new Uint8Array(0x2000);
  otadata.set(otaSelectEntry(1), 0);
  otadata.set(otaSelectEntry(2), 0x1000);
  const files: Array<{ path: string; offset: number; bytes: Uint8Array }> = [
    { path: 'bootloader.bin', offset: 0x1000, bytes: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4 }) },
    {
      path: 'partition-table.bin',
      offset: 0x8000,
      bytes: writePartitionTable([
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
        { label: 'otadata', type: 'data', subtype: 'ota', offset: OTADATA, size: 0x2000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: OTA_0, size: 0x100000 },
        { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: OTA_1, size: 0x100000 },
      ]),
    },
    { path: 'otadata.bin', offset: OTADATA, bytes: otadata },
    { path: 'weather-station.bin', offset: OTA_1, bytes: await weatherStation('2.0.0') },
  ];
  const zip = new JSZip();
  const parts = files.map(({ path, offset }) => ({ path, offset }));
  zip.file('manifest.json', JSON.stringify({ name: 'Weather station field unit', version: '2.0.0', builds: [{ chipFamily: 'ESP32', parts }] }));
  for (const file of files) zip.file(file.path, file.bytes);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** Presses "Reset board" and waits until the panel is watching the new start (the old verdict is gone). */
async function resetBoard(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Reset board' }).click();
  await page.locator('[role="status"][aria-label="Boot result"][data-outcome="watching"]').waitFor({ timeout: 10_000 });
}

async function downloadedFlashLog(page: Page): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download flash log' }).click()]);
  return readFile((await download.path())!, 'utf8');
}

test('an app written with "Keep data" to ota_0 while otadata selects ota_1: "Booted another app", naming both, never green', async () => {
  const { page } = app;
  await importThroughLibrary(page, 'weather-station-field-unit.zip', await fieldUnitZip());
  const update = await weatherStation('2.1.0');
  await importThroughLibrary(page, 'weather-station-2.1.0.bin', Buffer.from(update));
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });

  // The unit as it came back: its bootloader starts 2.0.0 from ota_1.
  await flash(page, { release: /^Weather station field unit 2\.0\.0/, erase: 'erase-all', baud: 921600 });
  expect(await bootVerdict(page)).toEqual({
    outcome: 'booted',
    text: 'Booted: weather-station 2.0.0 is running.The board started the app that was written.',
  });

  // 2.1.0 goes where an app-only build puts it, the first app partition; otadata still points at ota_1.
  await flash(page, { release: /^weather-station 2\.1\.0/, erase: 'keep-data', baud: 921600 });
  const image = await savedFlashImage(page);
  expect(Buffer.from(image.subarray(OTA_0, OTA_0 + update.length)).equals(Buffer.from(update))).toBe(true);
  const verdict = await bootVerdict(page);
  const title = 'Booted another app: the board runs weather-station 2.0.0, but the release holds weather-station 2.1.0.';
  const nextStep = 'The bootloader chose another app partition (OTA data points elsewhere). Flash again with "Erase everything", or check the release.';
  expect(verdict).toEqual({ outcome: 'other-app', text: `${title}${nextStep}` });
  expect(await page.locator('.boot-verdict--booted').count()).toBe(0);
  expect(await page.getByRole('log', { name: 'Serial console output' }).textContent()).toContain('Loaded app from partition at offset 0x110000');

  expect(await flashLogText(page)).toContain(`${title} ${nextStep}`);
  expect(await downloadedFlashLog(page)).toMatch(new RegExp(`Boot verdict after \\d+\\.\\d s: ${title.replace(/[.()]/g, '\\$&')} `));
  await disconnect(page);
});

test('a board that prints nothing after the reset: no verdict, with what to check; the app itself runs', async () => {
  const { page } = app;
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await setBootFault(page, 'silent');
  await flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 921600 });
  const verdict = await bootVerdict(page);
  const title = 'No verdict: the board printed nothing in the 10 s after the reset.';
  const nextStep =
    'Check that the console baud rate (115200) is the app\'s (ESP-IDF\'s default is 115200) and that the app\'s console is on this USB port; then press "Reset board" to watch it start again.';
  expect(verdict).toEqual({ outcome: 'unknown', text: `${title}${nextStep}` });
  expect(await page.getByRole('log', { name: 'Serial console output' }).textContent()).toBe('');
  expect(await flashLogText(page)).toMatch(new RegExp(`Boot verdict after 10\\.\\d s: ${title.replace(/[.]/g, '\\.')} `));

  // The same flash with its console back: the app that was written is what runs.
  await setBootFault(page, '');
  await resetBoard(page);
  expect(await bootVerdict(page)).toEqual({ outcome: 'booted', text: BOOTED });
  await disconnect(page);
});

test('"Reset board" after a fault is cleared watches the start again and reaches "Booted"', async () => {
  const { page } = app;
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  await setBootFault(page, 'abort');
  await flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 921600 });
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'failed', text: expect.stringMatching(/^Did not boot: Application v0\.8-7-g333c02c-dirty started, then crashed \(abort\(\)/) });

  await setBootFault(page, '');
  await resetBoard(page);
  expect(await bootVerdict(page)).toEqual({ outcome: 'booted', text: BOOTED });
  const log = await flashLogText(page);
  expect(log.slice(log.lastIndexOf('Boot verdict'))).toMatch(/^Boot verdict after \d+\.\d s: Booted: Application v0\.8-7-g333c02c-dirty is running\. The board started the app that was written\./);
  await disconnect(page);
});
