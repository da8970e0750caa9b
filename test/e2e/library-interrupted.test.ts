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

test('storage filling up during the save aborts the whole import, with a message saying so', async () => {
  const { page, context } = app;
  const cdp: CDPSession = await context.newCDPSession(page);
  const origin = new URL(app.url).origin;
  // A quota smaller than the release (2 MB of firmware): the browser refuses the writes mid-transaction.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 512 * 1024 });
  try {
    expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('failed');
    const alert = await page.getByRole('alert').filter({ hasText: 'Could not import' }).innerText();
    expect(alert).toContain('There is not enough storage space on this device');
    expect(alert).toContain('Nothing was stored.');
    expect(alert).toMatch(/What to do: Delete releases you no longer need/);
    expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
    expect(await releaseRows(page).count()).toBe(0);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await cdp.detach();
  }
  expect(await pickFiles(page, 'logibus-dualout.zip', zip)).toBe('added');
  expect(await storedRecords(page)).toEqual({ releases: 1, files: fileCount });
  await releaseRow(page).getByRole('button', { name: `Delete ${RELEASE}` }).click();
  await confirmDeleting(page, RELEASE).getByRole('button', { name: 'Delete release' }).click();
  await page.getByText('No releases on this device yet').waitFor();
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
