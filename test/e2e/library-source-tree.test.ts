// MicroPython source-tree releases through the library in Chromium: a release zip with its manifest, and a bare
// project folder with src/main.py picked with the folder picker. The details list the tree's files as they land on
// the device; the Flash view never offers a tree as a flash image.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appTree, bareProject, treeRelease, type TreeFile } from '../fixtures/micropython-app.ts';
import { openApp, type AppSession } from './browser.ts';
import { connectSimulated, openFlashView } from './flash.support.ts';
import { importOutcome, libraryReady, pickFiles, releaseRow, rowCells, sha256, storedRecords, zipFiles } from './library.support.ts';

const TREE_RELEASE = 'Greenhouse Sensor 1.3.0';
const BARE_RELEASE = 'greenhouse-sensor 1.4.0';
const INSTALL_NOTE = 'A MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board.';

let app: AppSession;
let scratch: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fieldflash-tree-'));
  app = await openApp('/');
  app.page.on('pageerror', (error) => pageErrors.push(error.message));
  await libraryReady(app.page);
});
afterAll(async () => {
  await app?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const asFixture = (files: TreeFile[]) => files.map((f) => ({ path: f.path, bytes: Buffer.from(f.data) }));

/** The rows of the details' "Files of the source tree" table, cell by cell. */
async function treeTable(name: string): Promise<string[][]> {
  const dialog = app.page.getByRole('dialog', { name });
  const rows = await dialog.getByRole('table', { name: 'Files of the source tree' }).getByRole('row').allInnerTexts();
  return rows.slice(1).map((row) => row.split('\t').map((cell) => cell.trim()));
}

/** What the device gets, by path: each file of the tree, its size and the first 12 hex digits of its SHA-256. */
function expectedRows(version: string): string[][] {
  return appTree(version)
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => [f.path, f.data.length === 1 ? '1 byte' : `${f.data.length} bytes`, sha256(f.data).slice(0, 12)]);
}

async function openDetails(name: string) {
  await releaseRow(app.page, name).getByRole('button', { name: `Details of ${name}` }).click();
  const dialog = app.page.getByRole('dialog', { name });
  await dialog.waitFor();
  return dialog;
}

async function closeDetails(name: string) {
  const dialog = app.page.getByRole('dialog', { name });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('a source-tree release zip with its manifest', () => {
  test('is listed as MicroPython, without Flash, and its details list the files of the tree', async () => {
    const { page } = app;
    expect(await pickFiles(page, 'greenhouse-sensor-1.3.0.zip', await zipFiles(asFixture(await treeRelease())))).toBe('added');
    const row = releaseRow(page, TREE_RELEASE);
    await row.waitFor();
    expect(await rowCells(row)).toMatchObject({ Product: 'Greenhouse Sensor', Version: '1.3.0', 'Chip family': 'MicroPython', Integrity: '✓ Verified 5 files' });
    expect(await row.getByRole('link', { name: `Flash ${TREE_RELEASE}` }).count()).toBe(0);

    const dialog = await openDetails(TREE_RELEASE);
    expect(await dialog.getByRole('link', { name: `Flash ${TREE_RELEASE}` }).count()).toBe(0);
    const section = dialog.getByRole('region', { name: 'Source tree for MicroPython 1.22.0 or later' });
    const text = await section.innerText();
    expect(text).toContain(INSTALL_NOTE);
    expect(text).toMatch(/Runtime\s+MicroPython 1\.22\.0 or later/);
    expect(text).toMatch(/Tree in the release\s+src\//);
    expect(text).toMatch(/Starts\s+module main \(main\.py\)/);
    expect(text).toMatch(/Device-local, never overwritten\s+env\.py/);
    expect(text).toMatch(/Version record\s+\.version on the device/);
    expect(await treeTable(TREE_RELEASE)).toEqual(expectedRows('1.3.0'));
    // The whole digest is there for whoever needs it.
    const first = appTree('1.3.0').find((f) => f.path === 'lib/__init__.py')!;
    expect(await section.locator('code.sha256').first().getAttribute('title')).toBe(sha256(first.data));
    await closeDetails(TREE_RELEASE);
  });

  test('a zip whose tree ships the device\'s env.py is refused and nothing is stored', async () => {
    const { page } = app;
    const before = await storedRecords(page);
    const bad = await treeRelease({ extra: [{ path: 'src/env.py', data: new TextEncoder().encode('WIFI_PASSWORD = "x"\n') }] });
    expect(await pickFiles(page, 'greenhouse-with-secrets.zip', await zipFiles(asFixture(bad)))).toBe('failed');
    const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
    expect(alert).toContain('fieldflash.json: "files[4].path" is env.py in the source tree src/');
    expect(alert).toContain('What to do: Remove src/env.py from the release');
    expect(await storedRecords(page)).toEqual(before);
    await page.getByRole('alert').filter({ hasText: 'Could not import' }).getByRole('button', { name: 'Dismiss' }).click();
  });
});

describe('a bare MicroPython project folder with src/main.py', () => {
  test('picked with the folder picker, is one release named after the folder, its secrets and project files left out', async () => {
    const { page } = app;
    const folder = join(scratch, 'greenhouse-sensor');
    for (const f of bareProject('1.4.0')) {
      await mkdir(dirname(join(folder, f.path)), { recursive: true });
      await writeFile(join(folder, f.path), f.data);
    }
    const before = await storedRecords(page);
    await page.getByLabel('Unzipped release folder').setInputFiles(folder);
    expect(await importOutcome(page)).toBe('added');
    const row = releaseRow(page, BARE_RELEASE);
    await row.waitFor();
    // The warning is the env.py left out.
    expect(await rowCells(row)).toMatchObject({ Product: 'greenhouse-sensor', Version: '1.4.0 1 warning', 'Chip family': 'MicroPython', Integrity: '✓ Verified 5 files' });
    // The four files of the tree and .version; not env.py, the cache, README.md, Makefile or .git.
    expect(await storedRecords(page)).toEqual({ releases: before.releases + 1, files: before.files + 5 });

    const dialog = await openDetails(BARE_RELEASE);
    expect(await dialog.getByRole('region', { name: 'Source tree for MicroPython' }).innerText()).toContain(INSTALL_NOTE);
    expect(await treeTable(BARE_RELEASE)).toEqual(expectedRows('1.4.0'));
    const notes = await dialog.getByRole('list', { name: 'Notes' }).innerText();
    expect(notes).toContain('read it as a MicroPython source tree');
    expect(notes).toContain('Left out src/env.py: device-local');
    expect(notes).toContain('Left out 4 files that lie outside src/');
    await closeDetails(BARE_RELEASE);
  });
});

describe('the Flash view', () => {
  test('says a source tree chosen in the library is not a flash image, and never offers one for a chip', async () => {
    const { page } = app;
    const id = await releaseRow(page, TREE_RELEASE).getAttribute('data-release-id');
    await page.goto(new URL(`/#/flash?release=${id}`, app.url).href);
    const note = page.getByRole('note', { name: 'Release chosen in the library' });
    await note.waitFor();
    expect(await note.innerText()).toBe(
      'Chosen in the library: Greenhouse Sensor 1.3.0 is a MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board, not flashed as an image.',
    );
    await openFlashView(page);
    await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
    for (const name of [TREE_RELEASE, BARE_RELEASE]) {
      const choice = page.getByRole('radio', { name });
      expect(await choice.isDisabled()).toBe(true);
      const reason = await page.locator(`#release-reason-${await choice.getAttribute('value')}`).innerText();
      expect(reason).toBe(`Not for this board: ${name} is a MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board, not flashed as an image.`);
    }
    expect(pageErrors).toEqual([]);
  });
});
