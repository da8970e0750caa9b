// The board's own word after a flash: "booted" with the app's name and version, or why it did not start,
// for every cause the simulated chip can show. And layouts that cannot boot refused before anything is written.
// The tests run in order in one page and share its simulated boards: the first installs the release on the 16 MB
// ESP32 that the next ones flash over with "Keep data".
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeAppImage } from '@fieldflash/bundle';
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
  flashLogText,
  importThroughLibrary,
  openFlashView,
  RELEASE_NAME,
  savedFlashImage,
  setBootFault,
} from './flash.support.ts';
import { PRODUCT } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

const APP = 'firmware_esp-idf-v5.1/Application.bin';
const BOOTED = 'Booted: Application v0.8-7-g333c02c-dirty is running.';
const PARTITIONS_ON_BOARD =
  "The board's partitions: nvs (nvs, 0x09000, 24 KiB), phy_init (phy, 0x0f000, 4 KiB), factory (factory app, 0x10000, 4 MiB), storage (spiffs, 0x410000, 960 KiB).";

let app: AppSession;

/** An ESP Web Tools release of the fixture's files placed where `parts` says. */
async function manifestZip(name: string, version: string, parts: Array<{ path: string; offset: number }>): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify({ name, version, builds: [{ chipFamily: 'ESP32', parts }] }));
  for (const part of parts) zip.file(part.path, await fixturePart(part.path));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

beforeAll(async () => {
  app = await openApp('/');
  await allowUnsigned(app.page, PRODUCT, 'Application', 'Off partition', 'Too big', 'Wrong bootloader offset', 'Bootloader overwrite');
  await importThroughLibrary(app.page, 'logibus-dualout.zip', await fixtureZip());
});
afterAll(async () => app?.close());

const alertText = async () => (await app.page.getByRole('alert').textContent()) ?? '';

test('the one release that fits is chosen already; the real release on a blank chip boots, and the verdict names it', async () => {
  const { page } = app;
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  expect(await page.getByRole('radio', { name: RELEASE_NAME }).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Flash', exact: true }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and flash' }).click();
  const result = page.getByRole('status', { name: 'Flash result' });
  await result.waitFor({ timeout: 60_000 });
  expect(await result.textContent()).toMatch(/written to the simulated ESP32 and verified/);
  const verdict = await bootVerdict(page);
  expect(verdict).toEqual({ outcome: 'booted', text: `${BOOTED}The board started the app that was written.` });
  expect(await flashLogText(page)).toContain(`${BOOTED} The board started the app that was written.`);
  await expectFixtureParts(await savedFlashImage(page));

  // The flash log, verdict included, downloads as text.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download flash log' }).click()]);
  expect(await readFile((await download.path())!, 'utf8')).toMatch(/Boot verdict after \d+\.\d s: Booted: Application v0\.8-7-g333c02c-dirty is running\./);
  await disconnect(page);
});

test('where several releases fit, the newest is chosen; counts read "1 part"', async () => {
  const { page } = app;
  await importThroughLibrary(page, 'Application.bin', await fixturePart(APP));
  await importThroughLibrary(page, 'off-partition.zip', await manifestZip('Off partition', '9.0.0', [{ path: APP, offset: 0x20000 }]));
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  expect(await page.getByRole('radio', { name: /Off partition 9\.0\.0/ }).isChecked()).toBe(true);
  const release = page.locator('.flash-release', { has: page.getByRole('radio', { name: /^Application / }) });
  expect(await release.textContent()).toMatch(/ESP32, 1 part · app Application/);
  await disconnect(page);
});

test('an app-only release with "Erase everything" is refused before anything is erased; "Keep data" writes the app and it boots', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const before = await savedFlashImage(page);
  await page.getByRole('radio', { name: /^Application / }).check();
  await page.getByRole('radio', { name: /Erase everything/ }).check();
  await page.getByRole('button', { name: 'Flash', exact: true }).click();
  const dialog = page.getByRole('alertdialog');
  expect(await dialog.textContent()).toMatch(
    /Erasing everything would leave the simulated ESP32 unable to start\..*has no bootloader and no partition table, only the app\. After an erase, nothing on the chip would load it\. Nothing has been erased\./,
  );
  // Before the choice, and with the question still open: not one byte changed.
  expect((await savedFlashImage(page)).equals(before)).toBe(true);
  await dialog.getByRole('button', { name: 'Keep data and write the app only' }).click();
  const result = page.getByRole('status', { name: 'Flash result' });
  await result.waitFor({ timeout: 60_000 });
  expect(await result.textContent()).toMatch(/Application\.bin at 0x10000: unchanged, skipped/);
  expect(await page.getByRole('radio', { name: /Keep data/ }).isChecked()).toBe(true);
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted' });
  const all = await flashLogText(page);
  const log = all.slice(all.lastIndexOf('Flashing Application'));
  expect(log).toMatch(/\(1 part, keeping data\)/);
  expect(log).not.toMatch(/Erasing the whole flash/);
  expect(log).toMatch(/Partitions on the board: nvs \(nvs, 0x09000, 24 KiB\)/);
  await disconnect(page);
});

test('"Keep data" refuses an app that lands off a partition start, or does not fit its partition, and names the partitions', async () => {
  const { page } = app;
  const big = await writeAppImage({ chipFamily: 'ESP32', projectName: 'Too big', version: '1.0.0', flashSizeMiB: 16, payload: new Uint8Array(0x410000) });
  await importThroughLibrary(page, 'too-big.bin', Buffer.from(big));
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const before = await savedFlashImage(page);

  await expect(flash(page, { release: /Off partition/, erase: 'keep-data', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  expect(await alertText()).toContain(`Application.bin would be written at 0x20000, but no app partition starts there. ${PARTITIONS_ON_BOARD} Nothing was written.`);

  await expect(flash(page, { release: /^Too big/, erase: 'keep-data', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  expect(await alertText()).toMatch(/too-big\.bin \(4\.\d+ MiB\) does not fit in the app partition "factory" at 0x10000 \(4 MiB\)\./);
  expect(await alertText()).toContain(PARTITIONS_ON_BOARD);
  expect((await savedFlashImage(page)).equals(before)).toBe(true);
  await disconnect(page);
});

test('each way the app fails after starting gets its own verdict', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const seen = new Map<string, string>();
  const cases: Array<[fault: 'panic' | 'abort' | 'brownout' | 'boot-loop', words: RegExp]> = [
    ['panic', /^Did not boot: Application v0\.8-7-g333c02c-dirty started, then crashed \(Guru Meditation Error: Core {2}0 panic'ed \(LoadProhibited\)\. Exception was unhandled\.\)\./],
    ['abort', /^Did not boot: Application v0\.8-7-g333c02c-dirty started, then crashed \(abort\(\) was called at PC 0x400d2a3b on core 0\)\./],
    ['brownout', /^Did not boot: the supply voltage dropped too low \(brownout\) and the chip reset itself\.Plug the board into another USB port/],
    ['boot-loop', /^Did not boot: the board keeps restarting \(\d resets in a row after starting Application v0\.8-7-g333c02c-dirty, no crash message\)\./],
  ];
  for (const [fault, words] of cases) {
    await setBootFault(page, fault);
    await flash(page, { release: RELEASE_NAME, erase: 'keep-data', baud: 921600 });
    const verdict = await bootVerdict(page);
    expect(verdict.outcome, fault).toBe('failed');
    expect(verdict.text, fault).toMatch(words);
    seen.set(fault, verdict.text);
    expect(await flashLogText(page)).toContain(verdict.text.split('.')[0]!);
  }
  expect(new Set(seen.values()).size).toBe(cases.length);
  await setBootFault(page, '');

  // A console at the wrong rate: nothing readable, and the verdict says to check the rate.
  await page.getByLabel('Console baud rate').selectOption('9600');
  await flash(page, { release: RELEASE_NAME, erase: 'keep-data', baud: 921600 });
  const silent = await bootVerdict(page);
  expect(silent.outcome).toBe('unknown');
  expect(silent.text).toBe(
    'No verdict: what the board printed is unreadable at 9600 baud.Set the console baud rate to the app\'s (ESP-IDF\'s default is 115200), then press "Reset board" to watch it start again.',
  );
  // Back at the right rate, "Reset board" watches the start again.
  await page.getByLabel('Console baud rate').selectOption('115200');
  await page.getByRole('button', { name: 'Reset board' }).click();
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted', text: expect.stringContaining(BOOTED) });
  await disconnect(page);
});

test('a bootloader at the wrong offset is refused before erasing; an overwritten one gets "invalid header" and what to do', async () => {
  const { page } = app;
  const wrongOffset = await manifestZip('Wrong bootloader offset', '1.0.0', [
    { path: 'firmware_esp-idf-v5.1/bootloader.bin', offset: 0x0 },
    { path: 'firmware_esp-idf-v5.1/partition-table.bin', offset: 0x8000 },
    { path: APP, offset: 0x10000 },
  ]);
  await importThroughLibrary(page, 'wrong-offset.zip', wrongOffset);
  await importThroughLibrary(page, 'overwrite.zip', await dataReleaseZip({ name: 'Bootloader overwrite', chipFamily: 'ESP32', offset: 0x1000, size: 0x1000, fill: 0x5a }));
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  const before = await savedFlashImage(page);
  await expect(flash(page, { release: /Wrong bootloader offset/, erase: 'erase-all', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  expect(await alertText()).toContain(
    'This release writes its bootloader at 0x00000, but the ESP32 starts its bootloader from 0x01000: after erasing everything it could not start. Nothing was erased.',
  );
  expect((await savedFlashImage(page)).equals(before)).toBe(true);

  // Data written over the bootloader: the ROM finds no image header where it looks.
  await flash(page, { release: /Bootloader overwrite/, erase: 'keep-data', baud: 921600 });
  const verdict = await bootVerdict(page);
  expect(verdict.outcome).toBe('failed');
  expect(verdict.text).toBe(
    'Did not boot: there is no bootloader at 0x01000, where this chip looks for one (the chip says "invalid header: 0x5a5a5a5a").' +
      'The bootloader is missing, overwritten or at the wrong offset. Flash a complete release (bootloader, partition table and app) with "Erase everything".',
  );
  await disconnect(page);
});

test('on a blank 4 MB chip: an app alone is refused; the 16 MB release is written but cannot start, and the verdict says why', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  const blank = await savedFlashImage(page);
  await expect(flash(page, { release: /^Application /, erase: 'keep-data', baud: 921600 })).rejects.toThrow(/Flashing failed/);
  expect(await alertText()).toContain(
    'The board has no partition table (its flash is blank at 0x08000), and this release does not bring one: the app alone cannot start. Nothing was written.',
  );
  expect((await savedFlashImage(page)).equals(blank)).toBe(true);

  await flash(page, { release: RELEASE_NAME, erase: 'erase-all', baud: 921600 });
  const verdict = await bootVerdict(page);
  expect(verdict.outcome).toBe('failed');
  expect(verdict.text).toMatch(/^Did not boot: the firmware is built for 16 MB of flash, but this board has 4 MB\.Choose a release built for 4 MB of flash/);
  // "Written and verified" stays a separate, plain statement: no green for a board that does not start.
  expect(await page.locator('.boot-verdict--booted').count()).toBe(0);
  await disconnect(page);
});
