// An import cut off while it is being stored leaves nothing: the storage fills up mid-transaction, or the
// browser goes away with the transaction open. The store writes metadata and file bytes in one transaction; this is the proof.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchProfile, openApp, type AppSession } from './browser.ts';
import { confirmDeleting, fixtureFiles, fixtureZip, libraryReady, pickFiles, RELEASE, releaseRow, releaseRows, storedRecords } from './library.support.ts';

let app: AppSession;
let zip: Buffer;
let fileCount: number;

beforeAll(async () => {
  [zip, fileCount] = await Promise.all([fixtureZip(), fixtureFiles().then((f) => f.length)]);
  app = await openApp('/');
  await libraryReady(app.page);
});
afterAll(async () => app?.close());

test('storage filling up during the save aborts the whole import, with a message saying so; freed, the same file imports', async () => {
  const { page, context } = app;
  const cdp: CDPSession = await context.newCDPSession(page);
  const origin = new URL(app.url).origin;
  // A quota smaller than the release (2 MB of firmware): the browser refuses the writes mid-transaction.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 512 * 1024 });
  try {
    // Three refusals in a row in one page: each must leave the library, its connection and the import queue ready.
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('failed');
      const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
      expect(alert).toContain('There is not enough storage space on this device');
      expect(alert).toContain('Nothing was stored.');
      expect(alert).toMatch(/What to do: Delete releases you no longer need/);
      expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
      expect(await releaseRows(page).count()).toBe(0);
    }
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await cdp.detach();
  }
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');
  expect(await storedRecords(page)).toEqual({ releases: 1, files: fileCount });
  await deleteTheRelease(page);
});

async function deleteTheRelease(page: Page): Promise<void> {
  await releaseRow(page).getByRole('button', { name: `Delete ${RELEASE}` }).click();
  await confirmDeleting(page, RELEASE).getByRole('button', { name: 'Delete release' }).click();
  await page.getByText('No releases on this device yet').waitFor();
}

/**
 * Makes the browser misbehave in the next import's save, once: `abandon` aborts the transaction while its writes are
 * still queued and keeps their outcome from the page (as Chrome may do when storage runs out); `stick` keeps the
 * transaction busy for ever, so it never commits.
 */
async function nextSaveMisbehaves(page: Page, how: 'abandon' | 'stick'): Promise<void> {
  await page.evaluate((how) => {
    const add = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const request = add.apply(this, args);
      if (how === 'abandon') {
        for (const type of ['success', 'error']) request.addEventListener(type, (event) => event.stopImmediatePropagation());
        if (this.name === 'files') {
          IDBObjectStore.prototype.add = add; // once
          this.transaction.abort();
        }
      } else if (this.name === 'files') {
        IDBObjectStore.prototype.add = add; // once
        const store = this;
        const spin = () => {
          store.count().onsuccess = spin;
        };
        spin();
      }
      return request;
    };
  }, how);
}

test('a save the browser aborts without settling its writes ends at once with a message; the same file then imports', async () => {
  const { page } = app;
  await nextSaveMisbehaves(page, 'abandon');
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('failed');
  const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
  expect(alert).toMatch(/The browser's storage failed while trying to store LOGIBUS DualOut .* Nothing was changed\./);
  expect(alert).toMatch(/What to do: Reload FieldFlash and try again/);
  expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');
  expect(await storedRecords(page)).toEqual({ releases: 1, files: fileCount });
  await deleteTheRelease(page);
});

test('a save that never finishes is ended after 20 s without progress, with a message; the same file then imports', async () => {
  const { page } = app;
  await nextSaveMisbehaves(page, 'stick');
  const started = Date.now();
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('failed');
  const waited = Date.now() - started;
  expect(waited).toBeGreaterThanOrEqual(20_000);
  const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
  expect(alert).toContain('The import of logibus-dualout.zip stopped: nothing happened for 20 s while saving it to this device. Nothing was stored.');
  expect(alert).toMatch(/What to do: Import it again\./);
  expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');
  expect(await storedRecords(page)).toEqual({ releases: 1, files: fileCount });
  await deleteTheRelease(page);
});

/** The app in a browser with an on-disk profile, whose tab freezes for good right after the n-th record is
 * queued in the import's transaction: the transaction stays open (its task never ends). */
async function browserFrozenAfterWrite(profile: string, n: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchProfile(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript((freezeAfter: number) => {
    const add = IDBObjectStore.prototype.add;
    let writes = 0;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const request = add.apply(this, args);
      if (this.name === 'releases' || this.name === 'files') {
        writes++;
        if (writes === freezeAfter) {
          console.log(`frozen after write ${writes} to ${this.name}`);
          for (;;) {
            // The tab hangs here with the transaction open, until the browser goes away.
          }
        }
      }
      return request;
    };
  }, n);
  await page.goto(app.url);
  await libraryReady(page);
  return { context, page };
}

for (const n of [1, 3]) {
  test(`the browser going away after ${n} of the import's writes leaves no release and no file behind`, async () => {
    const profile = await mkdtemp(join(tmpdir(), 'fieldflash-profile-'));
    try {
      const frozen = await browserFrozenAfterWrite(profile, n);
      const message = frozen.page.waitForEvent('console', { predicate: (m) => m.text().startsWith('frozen after write'), timeout: 60_000 });
      await frozen.page
        .getByLabel('Release zip or .bin files')
        .setInputFiles({ name: 'logibus-dualout.zip', mimeType: 'application/zip', buffer: zip });
      expect((await message).text()).toBe(`frozen after write ${n} to ${n === 1 ? 'releases' : 'files'}`);
      await frozen.context.close();

      // The browser starts again on the same profile, as after a crash or a laptop that ran out of battery.
      const restarted = await launchProfile(profile);
      try {
        const page = restarted.pages()[0] ?? (await restarted.newPage());
        await page.goto(app.url);
        await libraryReady(page);
        expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
        expect(await releaseRows(page).count()).toBe(0);
        // The library is still sound: the same release imports fully afterwards.
        expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');
        expect(await storedRecords(page)).toEqual({ releases: 1, files: fileCount });
      } finally {
        await restarted.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
}
