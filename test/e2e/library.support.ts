// What the library end-to-end tests do as a technician would (pick, drop) and what they check underneath
// (the records in IndexedDB), against the real release in ../shared/fixtures.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import JSZip from 'jszip';
import type { Locator, Page } from 'playwright-core';

export const FIXTURE_DIR = '../shared/fixtures/esp-web-tools-logibus-dualout';
export const PRODUCT = 'LOGIBUS DualOut ESP32 esp-idf-v5.1';
export const RELEASE = `${PRODUCT} 0.100.0`;
export const PARTS = [
  { offset: '0x1000', path: 'firmware_esp-idf-v5.1/bootloader.bin' },
  { offset: '0x8000', path: 'firmware_esp-idf-v5.1/partition-table.bin' },
  { offset: '0x10000', path: 'firmware_esp-idf-v5.1/Application.bin' },
];

export interface FixtureFile {
  path: string;
  bytes: Buffer;
}

/** The release as published: manifest.json and the firmware folder (SOURCE.md is ours, not the publisher's). */
export async function fixtureFiles(dir = FIXTURE_DIR): Promise<FixtureFile[]> {
  const out: FixtureFile[] = [];
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name !== 'SOURCE.md') out.push({ path: relative(dir, path), bytes: await readFile(path) });
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function zipFiles(files: readonly FixtureFile[], compression: 'DEFLATE' | 'STORE' = 'DEFLATE'): Promise<Buffer> {
  const zip = new JSZip();
  for (const f of files) zip.file(f.path, f.bytes, { createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression });
}

export async function fixtureZip(): Promise<Buffer> {
  return zipFiles(await fixtureFiles());
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The library's row for a release, named by product and version. */
export function releaseRow(page: Page, name: string | RegExp = RELEASE): Locator {
  return releaseRows(page).and(page.getByRole('row', { name }));
}

/** Every release row the library's list shows (the header row left out). */
export function releaseRows(page: Page): Locator {
  return page.getByRole('grid', { name: 'Releases' }).getByRole('rowgroup').nth(1).getByRole('row');
}

/** The question asked before a release is deleted. */
export function confirmDeleting(page: Page, name: string = RELEASE): Locator {
  return page.getByRole('alertdialog', { name: `Confirm deleting ${name}` });
}

/** Waits until the import says it added the release, it was already stored, or it failed; returns which. */
export async function importOutcome(page: Page): Promise<'added' | 'already' | 'failed'> {
  const added = page.getByText(/^Added .* to the library\./);
  const already = page.getByText(/is already in the library/);
  const failed = page.getByRole('alert').filter({ hasText: 'Could not import' });
  try {
    await added.or(already).or(failed).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    // Say what the page showed instead, so a failure here tells where the import stood.
    const shown = await page.getByRole('region', { name: 'Add a release' }).innerText().catch(() => '(the import panel could not be read)');
    throw new Error(`the import ended in none of the outcomes; the panel reads: ${shown.replace(/\s+/g, ' ')}`, { cause: error });
  }
  if (await failed.count()) return 'failed';
  return (await already.count()) ? 'already' : 'added';
}

/** Dismisses an import failure left on screen, so the next outcome read is the next import's. */
export async function dismissImportFailure(page: Page): Promise<void> {
  const dismiss = page.getByRole('alert').filter({ hasText: 'Could not import' }).getByRole('button', { name: 'Dismiss' });
  if (await dismiss.count()) {
    await dismiss.click();
    await dismiss.waitFor({ state: 'detached' });
  }
}

/** Through the real file input, as the "Choose release files…" button opens it. */
export async function pickFiles(page: Page, name: string, bytes: Buffer): Promise<'added' | 'already' | 'failed'> {
  await dismissImportFailure(page);
  await page.getByLabel('Release zip or .bin files').setInputFiles({ name, mimeType: 'application/zip', buffer: bytes });
  return importOutcome(page);
}

/** A drop on the window, carrying the zip in a DataTransfer built in the page, as the browser builds one for a real drop. */
export async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    async ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'application/zip' }));
      const target = document.querySelector('main') ?? document.body;
      const fire = (type: string) => target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
      fire('dragenter');
      fire('dragover');
      // Let the overlay render before the drop, as it would while a person's pointer hovers.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
      if (!document.body.textContent?.includes('Drop to add the release to the library')) throw new Error('no drop overlay shown');
      fire('drop');
    },
    { name, base64: bytes.toString('base64') },
  );
}

/** Counts the records in both object stores of the library database, straight from IndexedDB. */
export async function storedRecords(page: Page): Promise<{ releases: number; files: number }> {
  return page.evaluate(
    () =>
      new Promise<{ releases: number; files: number }>((resolve, reject) => {
        // No version: open whatever the app created, never create or upgrade it from here.
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('releases') || !db.objectStoreNames.contains('files')) {
            db.close();
            reject(new Error(`library database lacks its object stores: ${Array.from(db.objectStoreNames).join(', ')}`));
            return;
          }
          const tx = db.transaction(['releases', 'files'], 'readonly');
          const releases = tx.objectStore('releases').count();
          const files = tx.objectStore('files').count();
          tx.oncomplete = () => {
            db.close();
            resolve({ releases: releases.result, files: files.result });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Waits until the library (not the import panel) has been read, so the database exists with its stores. */
export async function libraryReady(page: Page): Promise<void> {
  await page
    .getByText('No releases on this device yet')
    .or(releaseRows(page).first())
    .first()
    .waitFor({ timeout: 30_000 });
}

/** A release row's cells as on screen, keyed by their column headers ("Product", "Version", "Chip family"…). */
export async function rowCells(row: Locator): Promise<Record<string, string>> {
  const grid = row.page().getByRole('grid', { name: 'Releases' });
  const headers = (await grid.getByRole('columnheader').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const cells = await row.getByRole('rowheader').or(row.getByRole('gridcell')).allInnerTexts();
  if (cells.length !== headers.length) throw new Error(`row has ${cells.length} cells under ${headers.length} headers`);
  return Object.fromEntries(headers.map((h, i) => [h, cells[i]!.replace(/\s+/g, ' ').trim()]));
}
