// Real-world bundles through the library in Chromium: an ESP-IDF build output without flasher_args.json, a zip
// made with PowerShell's Compress-Archive, a Finder zip full of clutter, and git-hash versions in build-time order.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeAppImage } from '../../packages/bundle/src/index.ts';
import { compressArchiveOf } from '../fixtures/compress-archive.ts';
import { openApp, type AppSession } from './browser.ts';
import { FIXTURE_DIR, fixtureFiles, libraryReady, pickFiles, RELEASE, releaseRow, releaseRows, rowCells, sha256, storedRecords, zipFiles, type FixtureFile } from './library.support.ts';

let app: AppSession;
let files: FixtureFile[];

beforeAll(async () => {
  files = await fixtureFiles();
  app = await openApp('/');
  await libraryReady(app.page);
});
afterAll(async () => app?.close());

async function openDetails(name: string) {
  const { page } = app;
  await releaseRow(page, name).getByRole('button', { name: `Details of ${name}` }).click();
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor();
  return dialog;
}

async function closeDetails(name: string) {
  const dialog = app.page.getByRole('dialog', { name });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('an ESP-IDF build output zipped without flasher_args.json', () => {
  const IDF_RELEASE = 'Application 0.8.0-7-g333c02c-dirty';

  test('is one complete release; the details say where each offset came from', async () => {
    const { page } = app;
    const firmware = `${FIXTURE_DIR}/firmware_esp-idf-v5.1`;
    // As idf.py leaves them in build/: the real fixture's parts under their idf.py names and folders.
    const build: FixtureFile[] = [
      { path: 'bootloader/bootloader.bin', bytes: await readFile(`${firmware}/bootloader.bin`) },
      { path: 'partition_table/partition-table.bin', bytes: await readFile(`${firmware}/partition-table.bin`) },
      { path: 'Application.bin', bytes: await readFile(`${firmware}/Application.bin`) },
    ];
    expect(await pickFiles(page, 'logibus-idf-build.zip', await zipFiles(build))).toBe('added');
    const dialog = await openDetails(IDF_RELEASE);
    const rows = (await dialog.getByRole('table', { name: 'Flash parts for ESP32' }).getByRole('row').allInnerTexts()).slice(1);
    expect(rows.map((row) => row.split('\t').map((c) => c.trim())).map((c) => [c[0], c[1], c[3], c[4]])).toEqual([
      ['0x1000', 'bootloader/bootloader.bin', sha256(build[0]!.bytes), 'bootloader header: chip ESP32'],
      ['0x8000', 'partition_table/partition-table.bin', sha256(build[1]!.bytes), "ESP-IDF partition table offset; the table's first partition follows it at 0x9000"],
      ['0x10000', 'Application.bin', sha256(build[2]!.bytes), 'partition table: factory partition'],
    ]);
    const details = await dialog.innerText();
    expect(details).toMatch(/First install: erases the whole chip, then writes/);
    expect(details).toContain('read it as an ESP-IDF build output');
    // Nothing about the layout was assumed, so no warning speaks of offsets.
    const warnings = await dialog.locator('.note--warning').allInnerTexts();
    expect(warnings.filter((w) => /offset|0x/i.test(w))).toEqual([]);
    await closeDetails(IDF_RELEASE);
  });
});

describe('zips from other systems', () => {
  const cluttered = (): FixtureFile[] => [
    ...files,
    { path: '__MACOSX/._manifest.json', bytes: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]) },
    { path: '__MACOSX/firmware_esp-idf-v5.1/._Application.bin', bytes: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]) },
    { path: '._manifest.json', bytes: Buffer.from(JSON.stringify({ name: 'Decoy', version: '9.9.9', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'firmware_esp-idf-v5.1/Application.bin', offset: 65536 }] }] })) },
    { path: '.DS_Store', bytes: Buffer.from('Bud1') },
    { path: 'firmware_esp-idf-v5.1/Thumbs.db', bytes: Buffer.from([0xd0, 0xcf, 0x11, 0xe0]) },
    { path: 'desktop.ini', bytes: Buffer.from('[.ShellClassInfo]\r\n') },
  ];

  test('a Finder zip with __MACOSX, ._ files, .DS_Store, Thumbs.db and desktop.ini counts only the release', async () => {
    const { page } = app;
    expect(await pickFiles(page, 'logibus-mac.zip', await zipFiles(cluttered()))).toBe('added');
    await releaseRow(page).waitFor();
    expect(await page.getByRole('row', { name: /^Decoy/ }).count()).toBe(0);
    expect((await rowCells(releaseRow(page))).Integrity).toBe('✓ Verified 4 files');
    const dialog = await openDetails(RELEASE);
    expect(await dialog.innerText()).toMatch(/Integrity\s+Verified: 4 files, SHA-256/);
    const listed = (await dialog.getByRole('table', { name: 'Files' }).getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t')[0]!.trim());
    expect(listed.sort()).toEqual(files.map((f) => f.path).sort());
    expect(await dialog.innerText()).toContain('Left out 6 files that the operating system added');
    await closeDetails(RELEASE);
    expect(await storedRecords(page)).toMatchObject({ files: 3 + files.length });
  });

  test('a zip made with Compress-Archive on Windows is the same release', async () => {
    const { page } = app;
    const zip = Buffer.from(compressArchiveOf(files.map((f) => ({ path: f.path, data: f.bytes }))));
    expect(zip.includes(Buffer.from('firmware_esp-idf-v5.1\\Application.bin'))).toBe(true);
    // Same files, same release id: the library already holds it from the Finder zip.
    expect(await pickFiles(page, 'logibus-windows.zip', zip)).toBe('already');
    expect(await page.getByText(`${RELEASE} is already in the library`).count()).toBe(1);
  });

  test('a Compress-Archive zip that climbs out with backslashes is refused and stores nothing', async () => {
    const { page } = app;
    const before = await storedRecords(page);
    const zip = Buffer.from(compressArchiveOf([...files.map((f) => ({ path: f.path, data: f.bytes })), { path: '../../evil.bin', data: new Uint8Array([1]) }]));
    expect(await pickFiles(page, 'evil-windows.zip', zip)).toBe('failed');
    const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
    expect(alert).toContain('the entry "..\\..\\evil.bin" climbs out of the bundle with ".."');
    expect(await storedRecords(page)).toEqual(before);
  });
});

describe('versions that are not SemVer', () => {
  test('git-hash builds are listed by build time, after the numbered release, and labelled so', async () => {
    const { page } = app;
    const meter = async (version: string, date: string) =>
      Buffer.from(await writeAppImage({ chipFamily: 'ESP32-C3', projectName: 'meter', version, date, time: '10:00:00', payload: new TextEncoder().encode(version.repeat(100)) }));
    // Imported so that the order of adding differs from the order of building.
    expect(await pickFiles(page, 'meter-a1b2c3d.bin', await meter('a1b2c3d', 'Mar  1 2025'))).toBe('added');
    expect(await pickFiles(page, 'meter-0.9.0.bin', await meter('0.9.0', 'Jun  1 2024'))).toBe('added');
    expect(await pickFiles(page, 'meter-f4076f9-dirty.bin', await meter('f4076f9-dirty', 'Jan 10 2025'))).toBe('added');
    await releaseRow(page, 'meter f4076f9-dirty').waitFor();
    // The library's default order, as the rows stand on screen.
    const meters = (await releaseRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')))).filter((n) => n?.startsWith('meter '));
    expect(meters).toEqual(['meter 0.9.0', 'meter a1b2c3d', 'meter f4076f9-dirty']);
    expect(await page.getByRole('grid', { name: 'Releases' }).innerText()).not.toContain('4076.0.0');
    const dialog = await openDetails('meter f4076f9-dirty');
    expect(await dialog.innerText()).toMatch(/Version order\s+not a SemVer version; ordered by build time \(built 2025-01-10 10:00:00\)/);
    await closeDetails('meter f4076f9-dirty');
  });
});
