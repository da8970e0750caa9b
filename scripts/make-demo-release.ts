// Builds the demo releases shipped with FieldFlash: public/demo/fieldflash-demo-<version>.zip, a native
// FieldFlash release for ESP32 (bootloader, partition table with factory/ota_0/ota_1/otadata, app, and two
// OTA slot images), the demo MicroPython application in two versions (bench-sensor-<version>.zip, source trees),
// plus public/demo/index.json listing them; and beside them, unlisted, MicroPython for the simulated ESP32.
// Each is signed by the demo publisher (scripts/demo-publisher.ts), whose public key is served as
// public/demo/fieldflash-demo-publisher.pub.json. Same bytes on every run with the same key.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  formatFingerprint, pseudoRandomBytes, publicKeyFile, writeAppImage, writeBootloaderImage, writePartitionTable, type NativeReleaseSpec, type SigningKey,
} from '../packages/bundle/src/index.ts';
import { packRelease } from '../packages/release/src/pack-release.ts';
import { DEMO_PUBLISHER_KEY_FILE, demoPublisherKey } from './demo-publisher.ts';
import { buildMicroPythonAppRelease, MICROPYTHON_APP_VERSIONS } from './micropython-app-release.ts';
import { buildMicroPythonDemoRelease } from './micropython-demo-release.ts';

export const DEMO_PRODUCT = 'FieldFlash Demo';
export const DEMO_PROJECT = 'fieldflash-demo';
export const DEMO_VERSION = '1.0.0';
export const DEMO_CHIP_FAMILY = 'ESP32';
export const DEMO_BOARD = 'esp32-devkitc';
export const DEMO_ZIP_NAME = `${DEMO_PROJECT}-${DEMO_VERSION}.zip`;

const BUILD_DATE = { date: 'Jan 15 2025', time: '09:30:00', idfVersion: 'v5.3.1' };

async function demoFiles() {
  const app = (payloadSeed: number) =>
    writeAppImage({
      chipFamily: 'ESP32',
      projectName: DEMO_PROJECT,
      version: DEMO_VERSION,
      secureVersion: 0,
      flashSizeMiB: 4,
      payload: pseudoRandomBytes(64 * 1024, payloadSeed),
      ...BUILD_DATE,
    });
  return [
    { path: 'bootloader.bin', data: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4, idfVersion: BUILD_DATE.idfVersion, dateTime: `${BUILD_DATE.date} ${BUILD_DATE.time}` }), role: 'bootloader' as const },
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
    // Erased otadata: the bootloader starts the factory app until an OTA update selects a slot.
    { path: 'ota_data_initial.bin', data: new Uint8Array(0x2000).fill(0xff), role: 'ota-data' as const },
    { path: `${DEMO_PROJECT}.bin`, data: await app(0xf1e1d), role: 'app' as const },
    { path: `ota/${DEMO_PROJECT}-slot0.bin`, data: await app(0x51070), role: 'app' as const },
    { path: `ota/${DEMO_PROJECT}-slot1.bin`, data: await app(0x51071), role: 'app' as const },
  ];
}

/** The demo release zip, built and then read back through the same importer the app uses; signed when a key is given. */
export async function buildDemoRelease(key?: SigningKey): Promise<{ name: string; zip: Uint8Array; id: string }> {
  const files = await demoFiles();
  const spec: NativeReleaseSpec = {
    product: DEMO_PRODUCT,
    version: DEMO_VERSION,
    sequence: 1,
    securityVersion: 0,
    releaseNotes: 'Demo firmware for trying FieldFlash without hardware.',
    targets: [
      {
        chipFamily: DEMO_CHIP_FAMILY,
        board: DEMO_BOARD,
        ota: { slot0: `ota/${DEMO_PROJECT}-slot0.bin`, slot1: `ota/${DEMO_PROJECT}-slot1.bin` },
        flash: {
          erase: 'all',
          flashSize: '4MB',
          flashMode: 'dio',
          flashFreq: '40m',
          parts: [
            { path: 'bootloader.bin', offset: 0x1000 },
            { path: 'partition-table.bin', offset: 0x8000 },
            { path: 'ota_data_initial.bin', offset: 0xd000 },
            { path: `${DEMO_PROJECT}.bin`, offset: 0x10000 },
          ],
        },
      },
    ],
    files,
  };
  const { release, zip } = await packRelease(spec, DEMO_ZIP_NAME, key);
  return { name: DEMO_ZIP_NAME, zip, id: release.id };
}

async function main(): Promise<void> {
  const outDir = fileURLToPath(new URL('../public/demo/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir)) if (/\.zip$/.test(old)) rmSync(join(outDir, old));
  const { key, created } = await demoPublisherKey();
  writeFileSync(join(outDir, DEMO_PUBLISHER_KEY_FILE), publicKeyFile(key.publicKey));
  console.log(`demo publisher key ${key.publicKey.keyId}${created ? ' (new, in .tmp/demo-publisher/)' : ''}: public/demo/${DEMO_PUBLISHER_KEY_FILE}, fingerprint ${formatFingerprint(key.publicKey.fingerprint)}`);
  const demo = await buildDemoRelease(key);
  writeFileSync(join(outDir, demo.name), demo.zip);
  console.log(`demo release: public/demo/${demo.name} (${(demo.zip.length / 1024).toFixed(0)} KiB, id ${demo.id.slice(0, 12)})`);
  const apps = await Promise.all(MICROPYTHON_APP_VERSIONS.map((version) => buildMicroPythonAppRelease(version, key)));
  for (const app of apps) writeFileSync(join(outDir, app.name), app.zip);
  console.log(`MicroPython application: ${apps.map((a) => `public/demo/${a.name}`).join(', ')}`);
  writeFileSync(join(outDir, 'index.json'), `${JSON.stringify([demo.name, ...apps.map((a) => a.name)], null, 2)}\n`);
  // Served beside them but not listed: the Flash view would choose it over the demo release, being the newest
  // version that fits an ESP32; the MicroPython path adds it by URL.
  const micropython = await buildMicroPythonDemoRelease(key);
  writeFileSync(join(outDir, micropython.name), micropython.zip);
  console.log(`MicroPython demo release: public/demo/${micropython.name} (${(micropython.zip.length / 1024).toFixed(0)} KiB)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
