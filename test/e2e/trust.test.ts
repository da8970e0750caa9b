// Signed releases in the app, as a technician meets them: publishers' keys imported in Settings (PEM or the release
// tool's .pub.json) and shown by their full fingerprint; a release's verdict in the library; a release that is not
// trusted blocked where it would be installed, until its key is imported or unsigned releases of its product are
// allowed; a revoked key blocking for good; a release changed after signing refused on import; and a library copy
// changed in IndexedDB refused right before the USB write, the emulated flash left as it was.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { formatFingerprint, spkiToPem } from '@fieldflash/bundle';
import type { Page } from 'playwright-core';
import { openApp, type AppSession } from './browser.ts';
import { connectSimulated, dataReleaseZip, flash, openFlashView, savedFlashImage } from './flash.support.ts';
import { dismissImportFailure, pickFiles, releaseRow, rowCells, storedRecords } from './library.support.ts';
import { alterStoredFile, importKey, nativeReleaseZip, newPublisher, openSettings, type Publisher } from './trust.support.ts';

let app: AppSession;
let acme: Publisher;
let other: Publisher;
let late: Publisher;

beforeAll(async () => {
  [acme, other, late] = await Promise.all([
    newPublisher('ed25519', 'Acme release key'),
    newPublisher('ecdsa-p256', 'Other Co key'),
    newPublisher('ed25519', 'Late Co key'),
  ]);
  app = await openApp();
});
afterAll(async () => app?.close());

async function openLibrary(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await page.getByRole('heading', { name: 'Releases on this device' }).waitFor();
}

/** The release's Signature cell in the library, once its verdict is read. */
async function signatureCell(page: Page, name: string): Promise<string> {
  await openLibrary(page);
  const row = releaseRow(page, name);
  await row.waitFor();
  // The cell is empty until its code loads, then says "Checking…" until the verdict is read.
  await expect.poll(async () => ['', 'Checking…'].includes((await rowCells(row)).Signature ?? '')).toBe(false);
  return (await rowCells(row)).Signature!;
}

const block = (page: Page, name: string) => page.getByRole('group', { name: `${name} cannot be installed` });
const flashButton = (page: Page) => page.getByRole('button', { name: 'Flash', exact: true });

async function choose(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('radio', { name }).check();
}

test('a publisher key is imported from PEM and from its .pub.json, each shown with id, algorithm, name and full fingerprint', async () => {
  const { page } = app;
  expect(await importKey(page, spkiToPem(acme.publicKey.spki), 'Acme release key')).toMatch(`Imported Acme release key (${acme.publicKey.keyId})`);
  expect(await importKey(page, other.keyFile)).toMatch(`Imported Other Co key (${other.publicKey.keyId})`);
  // A private key pasted by mistake is refused, and not kept.
  expect(await importKey(page, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----')).toMatch(/private key/i);

  await openSettings(page);
  const keys = page.getByRole('list', { name: 'Trusted keys' }).getByRole('listitem');
  // Each import is read back into the list a moment after Settings says it was imported.
  await expect.poll(() => keys.count()).toBe(2);
  const acmeItem = (await page.getByRole('listitem', { name: 'Acme release key' }).innerText()).replace(/\s+/g, ' ');
  expect(acmeItem).toContain(`Key id ${acme.publicKey.keyId}`);
  expect(acmeItem).toContain('Algorithm Ed25519');
  expect(acmeItem).toContain(`Fingerprint ${formatFingerprint(acme.publicKey.fingerprint)}`);
  expect(acmeItem).toContain('Status Trusted');
  const otherItem = (await page.getByRole('listitem', { name: 'Other Co key' }).innerText()).replace(/\s+/g, ' ');
  expect(otherItem).toContain('Name Other Co key');
  expect(otherItem).toContain('Algorithm ECDSA P-256');
  expect(otherItem).toContain(`Fingerprint ${formatFingerprint(other.publicKey.fingerprint)}`);
});

test('a release signed with a trusted key says who signed it, and installs over USB into the simulated ESP32', async () => {
  const { page } = app;
  const release = await nativeReleaseZip({ product: 'Acme Sensor', version: '1.0.0', publisher: acme, seed: 1 });
  await openLibrary(page);
  expect(await pickFiles(page, 'acme-sensor-1.0.0.zip', release.zip)).toBe('added');
  expect(await signatureCell(page, 'Acme Sensor 1.0.0')).toBe(`Signed by Acme release key (${acme.publicKey.fingerprint.slice(0, 4)}…)`);

  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  expect(await flash(page, { release: /^Acme Sensor 1\.0\.0/, erase: 'erase-all', baud: 921600 })).toMatch(/written/);
  const image = await savedFlashImage(page);
  expect(image.subarray(0x10000, 0x10000 + release.app.length).equals(release.app)).toBe(true);
});

test('a release kept unsigned takes the publisher\'s signature when its signed copy is imported', async () => {
  const { page } = app;
  const unsigned = await nativeReleaseZip({ product: 'Acme Meter', version: '2.0.0', seed: 6 });
  const signed = await nativeReleaseZip({ product: 'Acme Meter', version: '2.0.0', publisher: acme, seed: 6 });
  await openLibrary(page);
  expect(await pickFiles(page, 'acme-meter-2.0.0-unsigned.zip', unsigned.zip)).toBe('added');
  expect(await signatureCell(page, 'Acme Meter 2.0.0')).toBe('Unsigned');
  const before = await storedRecords(page);
  expect(await pickFiles(page, 'acme-meter-2.0.0.zip', signed.zip)).toBe('already');
  expect(await page.getByText('Acme Meter 2.0.0 now keeps the publisher\'s signature this copy brought.').count()).toBe(1);
  expect(await signatureCell(page, 'Acme Meter 2.0.0')).toBe(`Signed by Acme release key (${acme.publicKey.fingerprint.slice(0, 4)}…)`);
  // One release still, with one file more: its signature.
  expect(await storedRecords(page)).toEqual({ releases: before.releases, files: before.files + 1 });
});

test('an unsigned release is blocked until unsigned releases of its product are allowed, and blocked again once withdrawn', async () => {
  const { page } = app;
  await openLibrary(page);
  expect(await pickFiles(page, 'pattern.zip', await dataReleaseZip({ name: 'Pattern fill', chipFamily: 'ESP32', offset: 0x300000, size: 0x1000, fill: 0x5a }))).toBe('added');
  expect(await signatureCell(page, 'Pattern fill 1.0.0')).toBe('Unsigned');

  await openFlashView(page);
  await choose(page, /^Pattern fill 1\.0\.0/);
  expect(await block(page, 'Pattern fill 1.0.0').innerText()).toMatch(/not signed, and unsigned releases of Pattern fill are not allowed/);
  expect(await flashButton(page).isDisabled()).toBe(true);

  await block(page, 'Pattern fill 1.0.0').getByRole('button', { name: 'Allow unsigned releases of Pattern fill' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm allowing unsigned releases of Pattern fill' });
  expect(await confirm.innerText()).toMatch(/carry no signature/);
  await confirm.getByRole('button', { name: 'Allow unsigned releases of Pattern fill' }).click();
  await block(page, 'Pattern fill 1.0.0').waitFor({ state: 'detached' });
  expect(await flash(page, { release: /^Pattern fill 1\.0\.0/, erase: 'keep-data', baud: 921600 })).toMatch(/written/);
  const image = await savedFlashImage(page);
  expect(image.subarray(0x300000, 0x301000).every((b) => b === 0x5a)).toBe(true);
  expect(await signatureCell(page, 'Pattern fill 1.0.0')).toBe('Unsigned, allowed');

  await openSettings(page);
  await page.getByRole('button', { name: 'Withdraw permission for unsigned releases of Pattern fill' }).click();
  await page.getByText('No product: every unsigned release is refused for install.').waitFor();
  await openFlashView(page);
  await choose(page, /^Pattern fill 1\.0\.0/);
  await block(page, 'Pattern fill 1.0.0').waitFor();
  expect(await flashButton(page).isDisabled()).toBe(true);
});

test('a release signed with a key this laptop does not trust is kept but blocked, and installable once the key is imported', async () => {
  const { page } = app;
  const release = await nativeReleaseZip({ product: 'Late Sensor', version: '1.0.0', publisher: late, seed: 2 });
  await openLibrary(page);
  expect(await pickFiles(page, 'late-sensor-1.0.0.zip', release.zip)).toBe('added');
  expect(await signatureCell(page, 'Late Sensor 1.0.0')).toBe('Signature refused: key not trusted');

  await openFlashView(page);
  await choose(page, /^Late Sensor 1\.0\.0/);
  expect(await block(page, 'Late Sensor 1.0.0').innerText()).toContain(`signed with key ${late.publicKey.keyId}, which this laptop does not trust`);
  expect(await flashButton(page).isDisabled()).toBe(true);

  expect(await importKey(page, late.keyFile)).toMatch(`Imported Late Co key (${late.publicKey.keyId})`);
  await choose(page, /^Late Sensor 1\.0\.0/);
  await block(page, 'Late Sensor 1.0.0').waitFor({ state: 'detached' });
  expect(await flashButton(page).isEnabled()).toBe(true);
  expect(await signatureCell(page, 'Late Sensor 1.0.0')).toMatch(/^Signed by Late Co key /);
});

test('a revoked key blocks the releases it signed, even for a product whose unsigned releases are allowed', async () => {
  const { page } = app;
  const release = await nativeReleaseZip({ product: 'Other Sensor', version: '1.0.0', publisher: other, seed: 3 });
  await openLibrary(page);
  expect(await pickFiles(page, 'other-sensor-1.0.0.zip', release.zip)).toBe('added');
  expect(await signatureCell(page, 'Other Sensor 1.0.0')).toMatch(/^Signed by Other Co key /);

  await openSettings(page);
  await page.getByRole('combobox', { name: 'Product' }).fill('Other Sensor');
  await page.getByRole('button', { name: 'Allow unsigned releases of Other Sensor' }).click();
  await page.getByRole('alertdialog', { name: 'Confirm allowing unsigned releases of Other Sensor' }).getByRole('button', { name: 'Allow unsigned releases of Other Sensor' }).click();
  await page.getByRole('button', { name: 'Revoke Other Co key' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm revoking Other Co key' });
  expect(await confirm.innerText()).toMatch(/will be refused for install/);
  await confirm.getByRole('button', { name: 'Revoke the key' }).click();
  const revoked = page.getByRole('listitem', { name: 'Other Co key, revoked' });
  expect((await revoked.innerText()).replace(/\s+/g, ' ')).toMatch(/Status Revoked .*: its signatures are refused/);
  expect(await revoked.getByRole('button', { name: /Revoke/ }).count()).toBe(0);

  expect(await signatureCell(page, 'Other Sensor 1.0.0')).toBe('Signature refused: key revoked');
  await openFlashView(page);
  await choose(page, /^Other Sensor 1\.0\.0/);
  expect(await block(page, 'Other Sensor 1.0.0').innerText()).toContain(`signed with key ${other.publicKey.keyId} (Other Co key), which was revoked`);
  expect(await flashButton(page).isDisabled()).toBe(true);
});

test('a signed release whose manifest or file was changed after signing is refused on import, and nothing is stored', async () => {
  const { page } = app;
  await openLibrary(page);
  const before = await storedRecords(page);

  const manifestChanged = await nativeReleaseZip({ product: 'Acme Sensor', version: '1.0.1', publisher: acme, seed: 4, tamper: 'manifest' });
  expect(await pickFiles(page, 'acme-sensor-1.0.1.zip', manifestChanged.zip)).toBe('failed');
  const alert = page.getByRole('alert').filter({ hasText: 'Could not import' });
  expect((await alert.innerText()).replace(/\s+/g, ' ')).toMatch(
    /Acme Sensor 1\.0\.1 was refused: The signature does not match the manifest: the release was changed after key [0-9a-f]{16} signed it\. Nothing was stored\..*Get the release again from the publisher/,
  );
  expect(await storedRecords(page)).toEqual(before);
  await dismissImportFailure(page);

  const fileChanged = await nativeReleaseZip({ product: 'Acme Sensor', version: '1.0.2', publisher: acme, seed: 5, tamper: 'file' });
  expect(await pickFiles(page, 'acme-sensor-1.0.2.zip', fileChanged.zip)).toBe('failed');
  expect(await alert.innerText()).toMatch(/SHA-256/);
  expect(await storedRecords(page)).toEqual(before);
  await dismissImportFailure(page);
});

test('a library copy changed in IndexedDB is refused right before the USB write, and the flash is left as it was', async () => {
  const { page } = app;
  await openFlashView(page);
  const before = await savedFlashImage(page);
  await alterStoredFile(page, 'Acme Sensor 1.0.0', 'acme-sensor.bin');

  await choose(page, /^Acme Sensor 1\.0\.0/);
  await page.getByRole('radio', { name: /Keep data/ }).check();
  await flashButton(page).click();
  const problem = page.getByRole('alert').filter({ hasText: 'changed or damaged' });
  expect((await problem.innerText()).replace(/\s+/g, ' ')).toMatch(
    /The library's copy of Acme Sensor 1\.0\.0 was changed or damaged: acme-sensor\.bin no longer has the SHA-256 it had when imported\. Nothing was written\..*import it again/,
  );
  expect((await savedFlashImage(page)).equals(before)).toBe(true);
});
