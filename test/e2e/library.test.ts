// The package library with the real LOGIBUS DualOut release: import by picking and by dropping, what the list
// and the details show, export back to a zip, delete. Checked on screen and in IndexedDB.
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  confirmDeleting,
  dropFile,
  FIXTURE_DIR,
  fixtureFiles,
  fixtureZip,
  importOutcome,
  libraryReady,
  PARTS,
  pickFiles,
  PRODUCT,
  RELEASE,
  releaseRow,
  rowCells,
  sha256,
  storedRecords,
  type FixtureFile,
} from './library.support.ts';

let app: AppSession;
let files: FixtureFile[];
let zip: Buffer;

beforeAll(async () => {
  [files, zip] = await Promise.all([fixtureFiles(), fixtureZip()]);
  app = await openApp('/');
  await libraryReady(app.page);
});
afterAll(async () => app?.close());

async function deleteThroughUi(name = RELEASE): Promise<void> {
  const { page } = app;
  await releaseRow(page, name).getByRole('button', { name: `Delete ${name}` }).click();
  const confirm = confirmDeleting(page, name);
  await confirm.getByRole('button', { name: 'Delete release' }).click();
  await releaseRow(page, name).waitFor({ state: 'detached' });
}

describe('importing the real ESP Web Tools release', () => {
  test('picked through the file input, it is listed with what the manifest and the binary say', async () => {
    const { page } = app;
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
    expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');

    const row = releaseRow(page);
    await row.waitFor();
    const cells = await rowCells(row);
    expect(cells['Product']).toBe(PRODUCT);
    // The manifest says "0.100"; the list shows the SemVer it was normalised to, and flags the note about it.
    expect(cells['Version']).toMatch(/^0\.100\.0 \d+ (notes?|warnings?)$/);
    expect(cells['Chip family']).toBe('ESP32');
    expect(cells['Board']).toBe('—');
    expect(cells['Integrity']).toBe('✓ Verified 4 files');
    expect(cells['Added']).toMatch(/^\d{4}-\d\d-\d\d$/);

    const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);
    expect(totalBytes).toBeGreaterThan(2_000_000);
    expect(cells['Size']).toBe(`${(totalBytes / 1024 / 1024).toFixed(1)} MiB`);
    expect(await storedRecords(page)).toEqual({ releases: 1, files: files.length });
  });

  test('importing the same release again says so and stores nothing twice', async () => {
    const { page } = app;
    expect(await pickFiles(page, 'logibus-dualout-copy.zip', zip)).toBe('already');
    expect(await page.getByText(`${RELEASE} is already in the library`).count()).toBe(1);
    expect(await releaseRow(page).count()).toBe(1);
    expect(await storedRecords(page)).toEqual({ releases: 1, files: files.length });
  });

  test('details show every flash part at its offset with the SHA-256 of the fixture bytes', async () => {
    const { page } = app;
    await releaseRow(page).getByRole('button', { name: `Details of ${RELEASE}` }).click();
    const dialog = page.getByRole('dialog', { name: RELEASE });
    await dialog.waitFor();
    const parts = dialog.getByRole('table', { name: 'Flash parts for ESP32' });
    const rows = await parts.getByRole('row').allInnerTexts();
    expect(rows).toHaveLength(PARTS.length + 1);
    for (const [i, part] of PARTS.entries()) {
      const bytes = await readFile(`${FIXTURE_DIR}/${part.path}`);
      const cells = rows[i + 1]!.split('\t').map((c) => c.trim());
      expect(cells[0]).toBe(part.offset);
      expect(cells[1]).toBe(part.path);
      expect(cells[3]).toBe(sha256(bytes));
    }
    const notes = await dialog.getByRole('list', { name: 'Notes' }).innerText();
    expect(notes).toContain('"0.100"');
    expect(notes).toContain('0.100.0');
    const details = await dialog.innerText();
    expect(details).toMatch(/Project name\s+Application/);
    expect(details).toMatch(/App version\s+v0\.8-7-g333c02c-dirty/);
    expect(details).toMatch(/ESP-IDF version\s+v5\.1/);
    expect(details).toMatch(/Secure version\s+0/);
    expect(details).toMatch(/Build date\s+\w{3} +\d+ \d{4} \d\d:\d\d:\d\d/);
    // The partition table read from partition-table.bin: the app partition sits where the manifest puts the app.
    const table = await dialog.getByRole('table', { name: /^Partition table in firmware_esp-idf-v5\.1\/partition-table\.bin/ }).innerText();
    expect(table).toMatch(/factory\s+app\s+factory\s+0x10000/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  test('export gives back a zip whose files are byte for byte the published ones', async () => {
    const { page } = app;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      releaseRow(page).getByRole('button', { name: `Export ${RELEASE} as zip` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const exported = await JSZip.loadAsync(await readFile(await download.path()));
    const names = Object.values(exported.files).filter((f) => !f.dir).map((f) => f.name).sort();
    expect(names).toEqual(files.map((f) => f.path));
    for (const f of files) {
      const bytes = await exported.file(f.path)!.async('nodebuffer');
      expect(sha256(bytes)).toBe(sha256(f.bytes));
      expect(bytes.equals(f.bytes)).toBe(true);
    }
  });

  test('delete asks first, then removes the release and every file record', async () => {
    const { page } = app;
    await releaseRow(page).getByRole('button', { name: `Delete ${RELEASE}` }).click();
    const confirm = confirmDeleting(page, RELEASE);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await releaseRow(page).count()).toBe(1);
    expect(await storedRecords(page)).toEqual({ releases: 1, files: files.length });

    await deleteThroughUi();
    await page.getByText('No releases on this device yet').waitFor();
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  });

  test('a zip dropped on the window is imported like a picked one', async () => {
    const { page } = app;
    await dropFile(page, 'dropped-logibus.zip', zip);
    expect(await importOutcome(page)).toBe('added');
    await releaseRow(page).waitFor();
    await releaseRow(page).getByRole('button', { name: `Details of ${RELEASE}` }).click();
    const dialog = page.getByRole('dialog', { name: RELEASE });
    await dialog.waitFor();
    expect(await dialog.getByText('dropped-logibus.zip').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await storedRecords(page)).toEqual({ releases: 1, files: files.length });
    await deleteThroughUi();
  });

  test('an unzipped release folder picked with the folder picker is imported too', async () => {
    const { page } = app;
    // Playwright hands the whole folder to the webkitdirectory input, SOURCE.md included.
    await page.getByLabel('Unzipped release folder').setInputFiles(FIXTURE_DIR);
    expect(await importOutcome(page)).toBe('added');
    const row = releaseRow(page);
    await row.waitFor();
    expect(await rowCells(row)).toMatchObject({ Product: PRODUCT, 'Chip family': 'ESP32' });
    const { releases } = await storedRecords(page);
    expect(releases).toBe(1);
    await deleteThroughUi();
  });
});

describe('the rest of the library', () => {
  test('the demo releases shipped with FieldFlash load with one click', async () => {
    const { page } = app;
    const index = JSON.parse(await readFile('dist/demo/index.json', 'utf8')) as string[];
    expect(index).toEqual(['fieldflash-demo-1.0.0.zip', 'bench-sensor-1.0.0.zip', 'bench-sensor-1.1.0.zip']);
    await page.getByRole('button', { name: 'Load demo release' }).click();
    expect(await importOutcome(page)).toBe('added');
    const row = releaseRow(page, /^FieldFlash Demo /);
    await row.waitFor();
    expect(await rowCells(row)).toMatchObject({ 'Chip family': 'ESP32', Board: 'esp32-devkitc', Integrity: '✓ Verified 8 files' });
    for (const name of ['Bench Sensor 1.0.0', 'Bench Sensor 1.1.0']) await releaseRow(page, name).waitFor();
    // One release per zip the index lists, each stored once.
    expect((await storedRecords(page)).releases).toBe(index.length);
  });

  test('storage use is shown and keeping the data can be requested', async () => {
    const { page } = app;
    const panel = page.getByRole('region', { name: 'Storage on this device' });
    expect(await panel.innerText()).toMatch(/[\d.]+ (bytes|KiB|MiB|GiB) used of [\d.]+ (MiB|GiB|TiB) available to FieldFlash/);
    await panel.getByRole('button', { name: 'Keep data on this device' }).click();
    const answer = panel.getByRole('status');
    await answer.getByText(/^(Done: the browser will keep|The browser did not agree)/).waitFor();
    const granted = await page.evaluate(() => navigator.storage.persisted());
    expect(await answer.innerText()).toMatch(granted ? /^Done/ : /^The browser did not agree/);
  });
});
