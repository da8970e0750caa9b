// What a technician does in Settings to let releases through: allow unsigned releases of a product, import a
// publisher's public key, revoke one; and the signed releases a publisher makes, built here with the same code
// the release tool uses.
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import JSZip from 'jszip';
import {
  generateSigningKey, pseudoRandomBytes, publicKeyFile, signatureFileText, signManifest, writeAppImage, writeBootloaderImage, writeNativeManifest, writePartitionTable,
  type PublicKey, type SigningKey,
} from '@fieldflash/bundle';

/** Where the build puts the demo publisher's public key, when the demo releases are signed. */
export const DEMO_PUBLISHER_KEY = 'dist/demo/fieldflash-demo-publisher.pub.json';

/** Opens the Settings view, runs `steps`, and goes back to the view the page showed before. */
/** Opens Settings and waits until it has read the trusted keys. */
export async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Trusted keys' }).waitFor();
  await page.getByText('Reading the trusted keys…').waitFor({ state: 'detached' });
}

async function inSettings(page: Page, steps: () => Promise<void>): Promise<void> {
  const back = new URL(page.url()).hash || '#/library';
  await openSettings(page);
  await steps();
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, back);
}

/** Allows unsigned releases of each product, answering the confirmation as a technician would. */
export async function allowUnsigned(page: Page, ...products: string[]): Promise<void> {
  await inSettings(page, async () => {
    for (const product of products) {
      await page.getByRole('combobox', { name: 'Product' }).fill(product);
      await page.getByRole('button', { name: `Allow unsigned releases of ${product}` }).click();
      await page.getByRole('alertdialog', { name: `Confirm allowing unsigned releases of ${product}` }).getByRole('button', { name: `Allow unsigned releases of ${product}` }).click();
      await page.getByRole('button', { name: `Withdraw permission for unsigned releases of ${product}` }).waitFor();
    }
  });
}

/** Pastes a public key (PEM or .pub.json text) into Settings and imports it; returns what Settings said. */
export async function importKey(page: Page, text: string, name = ''): Promise<string> {
  let said = '';
  await inSettings(page, async () => {
    await page.getByRole('textbox', { name: 'Public key (PEM or .pub.json)' }).fill(text);
    await page.getByRole('textbox', { name: 'Name (optional)' }).fill(name);
    await page.getByRole('button', { name: 'Import key' }).click();
    const form = page.getByRole('form', { name: 'Import a trusted key' });
    said = await form.getByRole('status').or(form.getByRole('alert')).first().innerText();
  });
  return said;
}

/**
 * Lets the demo releases be installed: imports the demo publisher's key where the build signs them, or else allows
 * unsigned releases of the demo products.
 */
export async function trustDemoReleases(page: Page, ...products: string[]): Promise<void> {
  if (existsSync(DEMO_PUBLISHER_KEY)) await importKey(page, readFileSync(DEMO_PUBLISHER_KEY, 'utf8'));
  else await allowUnsigned(page, ...products);
}

export interface Publisher {
  key: SigningKey & { pkcs8: Uint8Array };
  /** The .pub.json text the release tool writes. */
  keyFile: string;
  publicKey: PublicKey;
}

export async function newPublisher(algorithm: 'ed25519' | 'ecdsa-p256', name: string): Promise<Publisher> {
  const key = await generateSigningKey(algorithm, name);
  return { key, keyFile: publicKeyFile(key.publicKey), publicKey: key.publicKey };
}

/** The detached signature file for a manifest's exact bytes. */
export async function signatureFor(manifest: Uint8Array, publisher: Publisher): Promise<string> {
  return signatureFileText(await signManifest(manifest, publisher.key));
}

export interface ReleaseZip {
  zip: Buffer;
  /** The app image, written at 0x10000 by a first install and sent to a device's slot by an update. */
  app: Buffer;
  appPath: string;
}

/**
 * A FieldFlash-native release for ESP32 (bootloader, partition table, app; the app also as the OTA image), signed by
 * `publisher` when given. `tamper` changes it after signing as an attacker on the way would: the manifest's
 * release notes (the files still match their digests), or one byte of the app (its digest no longer matches).
 */
export async function nativeReleaseZip(options: { product: string; version: string; publisher?: Publisher; seed: number; tamper?: 'manifest' | 'file' }): Promise<ReleaseZip> {
  const project = options.product.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const app = await writeAppImage({ chipFamily: 'ESP32', projectName: project, version: options.version, flashSizeMiB: 4, payload: pseudoRandomBytes(24 * 1024, options.seed) });
  const appPath = `${project}.bin`;
  const files = [
    { path: 'bootloader.bin', data: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4 }), role: 'bootloader' as const },
    {
      path: 'partition-table.bin',
      data: writePartitionTable([
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
        { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xd000, size: 0x2000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
        { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: 0x110000, size: 0x100000 },
        { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x210000, size: 0x100000 },
      ]),
      role: 'partition-table' as const,
    },
    { path: appPath, data: app, role: 'app' as const },
  ];
  let manifest = await writeNativeManifest({
    product: options.product,
    version: options.version,
    sequence: 2,
    securityVersion: 0,
    releaseNotes: 'Field release.',
    targets: [
      {
        chipFamily: 'ESP32',
        board: 'esp32-devkitc',
        ota: { image: appPath },
        flash: { erase: 'all', flashSize: '4MB', parts: [{ path: 'bootloader.bin', offset: 0x1000 }, { path: 'partition-table.bin', offset: 0x8000 }, { path: appPath, offset: 0x10000 }] },
      },
    ],
    files,
  });
  const zip = new JSZip();
  if (options.publisher) zip.file('fieldflash.json.sig', await signatureFor(new TextEncoder().encode(manifest), options.publisher));
  if (options.tamper === 'manifest') manifest = manifest.replace('Field release.', 'Field release, with extras.');
  zip.file('fieldflash.json', manifest);
  for (const file of files) {
    const data = Buffer.from(file.data);
    if (options.tamper === 'file' && file.path === appPath) data[data.length - 100]! ^= 0xff;
    zip.file(file.path, data);
  }
  return { zip: await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }), app: Buffer.from(app), appPath };
}

/**
 * Replaces the bytes the library keeps for one file of a release, straight in IndexedDB, as damage or a meddling
 * program would: the release's record (and the digest it holds) is left as it was.
 */
export async function alterStoredFile(page: Page, releaseName: string, path: string): Promise<void> {
  await page.evaluate(
    ({ releaseName, path }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['releases', 'files'], 'readwrite');
          const all = tx.objectStore('releases').getAll();
          all.onsuccess = () => {
            const release = (all.result as Array<{ id: string; product: string; version: string }>).find((r) => `${r.product} ${r.version}` === releaseName);
            if (!release) return reject(new Error(`${releaseName} is not in the library`));
            const files = tx.objectStore('files');
            const read = files.get([release.id, path]);
            read.onsuccess = async () => {
              const record = read.result as { releaseId: string; path: string; data: Blob } | undefined;
              if (!record) return reject(new Error(`${releaseName} has no file ${path}`));
              // Reading the Blob would end the transaction: the change is made in a second one.
              const bytes = new Uint8Array(await record.data.arrayBuffer());
              bytes[bytes.length - 100]! ^= 0xff;
              const write = db.transaction('files', 'readwrite');
              write.objectStore('files').put({ ...record, data: new Blob([bytes]) });
              write.oncomplete = () => {
                db.close();
                resolve();
              };
              write.onerror = () => reject(write.error);
            };
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { releaseName, path },
  );
}
